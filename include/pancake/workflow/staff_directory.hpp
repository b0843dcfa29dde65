// A page's staff, from GET /users, kept for a TTL: who may be given conversations now, and who
// someone was (former staff included, to name who handled an old conversation).
//
// The same cache as tag_directory (single-flight refresh on the client's clock, every waiter
// gets the one request's result or error, cancellable waiters, invalidate()); the views are
// staff.hpp's, computed on the cached snapshot:
//   - async_eligible(policy): eligible_staff(), i.e. available, active in the page and, if the
//     policy asks, online; never someone in disabled_users;
//   - async_get(id) / async_find(name): find_staff(), current or former (staff_member::disabled).
//
//   workflow::staff_directory staff(api, page);
//   auto who = co_await staff.async_eligible(workflow::eligibility{.require_online = true}, asio::use_awaitable);
//
// Errors: the client's, state_error::unknown_staff, state_error::ambiguous_name (two people with
// one name: use the id), errc::invalid_argument for a name that is not UTF-8.
#pragma once

#include <pancake/client.hpp>
#include <pancake/workflow/detail/client_clock.hpp>
#include <pancake/workflow/detail/handlers.hpp>
#include <pancake/workflow/detail/name_index.hpp>
#include <pancake/workflow/detail/snapshot_cache.hpp>
#include <pancake/workflow/directory_options.hpp>
#include <pancake/workflow/staff.hpp>
#include <pancake/workflow/state_error.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace pancake::workflow {

namespace detail {

/// One GET /users, with a name index over current and former staff (positions: users first,
/// then disabled_users).
struct staff_index {
    users_snapshot staff;
    name_index by_name;

    staff_index(users_snapshot s, text::accent_mode accents) : staff(std::move(s)), by_name(accents) {
        std::size_t i = 0;
        for (const auto& u : staff.users)
            by_name.add(u.name, i++);
        for (const auto& d : staff.disabled_users)
            by_name.add(d.name, i++);
    }

    std::pair<error_code, staff_member> get(const user_id& id) const {
        if (auto m = find_staff(staff, id)) return {{}, std::move(*m)};
        return {state_error::unknown_staff, {}};
    }
    std::pair<error_code, staff_member> find(std::string_view name) const {
        const auto r = by_name.find(name);
        switch (r.match) {
        case name_match::found: {
            const auto& id = r.position < staff.users.size() ? staff.users[r.position].id
                                                             : staff.disabled_users[r.position - staff.users.size()].id;
            return get(id); // find_staff decides whether they count as former
        }
        case name_match::ambiguous:
            return {state_error::ambiguous_name, {}};
        case name_match::unreadable:
            return {errc::invalid_argument, {}};
        case name_match::none:
            break;
        }
        return {state_error::unknown_staff, {}};
    }
};

} // namespace detail

class staff_directory {
    using cache = detail::snapshot_cache<detail::staff_index>;

public:
    staff_directory(client& api, page_id page, directory_options opts = {})
        : page_(std::move(page)),
          cache_(std::make_shared<cache>(
              api.get_executor(), detail::clock_of(api), opts.ttl,
              [api = &api, page = page_, accents = opts.accents](cache::fetch_handler h) {
                  api->async_list_users(page, [h = std::move(h), accents](error_code ec, users_snapshot s) mutable {
                      if (ec) return std::move(h)(ec, nullptr);
                      std::move(h)(ec, std::make_shared<const detail::staff_index>(std::move(s), accents));
                  });
              })) {}

    const page_id& page() const noexcept { return page_; }

    /// Who may be given a new conversation under `policy` (staff.hpp's eligible_staff: ids in
    /// ascending order, as the assigners expect).
    template <class CompletionToken = asio::deferred_t>
    auto async_eligible(eligibility policy, CompletionToken&& token = {}) {
        return asio::async_initiate<CompletionToken, void(error_code, std::vector<user_id>)>(
            [](auto handler, std::shared_ptr<cache> c, eligibility policy) {
                c->async_wait(detail::answer_with(std::move(handler),
                                                  [policy](const detail::staff_index& ix) {
                                                      return std::pair<error_code, std::vector<user_id>>(
                                                          {}, eligible_staff(ix.staff, policy));
                                                  }),
                              false);
            },
            token, cache_, policy);
    }
    template <class CompletionToken = asio::deferred_t>
    requires(!std::is_convertible_v<CompletionToken, eligibility>) auto async_eligible(CompletionToken&& token = {}) {
        return async_eligible(eligibility{}, std::forward<CompletionToken>(token));
    }

    /// The staff member with id `id`, current or former.
    template <class CompletionToken = asio::deferred_t>
    auto async_get(user_id id, CompletionToken&& token = {}) {
        return asio::async_initiate<CompletionToken, void(error_code, staff_member)>(
            [](auto handler, std::shared_ptr<cache> c, user_id id) {
                c->async_wait(
                    detail::answer_with(std::move(handler),
                                        [id = std::move(id)](const detail::staff_index& ix) { return ix.get(id); }),
                    false);
            },
            token, cache_, std::move(id));
    }

    /// The staff member named `name` (folded as directory_options says), current or former.
    template <class CompletionToken = asio::deferred_t>
    auto async_find(std::string_view name, CompletionToken&& token = {}) {
        return asio::async_initiate<CompletionToken, void(error_code, staff_member)>(
            [](auto handler, std::shared_ptr<cache> c, std::string name) {
                c->async_wait(detail::answer_with(
                                  std::move(handler),
                                  [name = std::move(name)](const detail::staff_index& ix) { return ix.find(name); }),
                              false);
            },
            token, cache_, std::string(name));
    }

    /// The whole GET /users answer (from the cache while it is fresh).
    template <class CompletionToken = asio::deferred_t>
    auto async_snapshot(CompletionToken&& token = {}) {
        return async_list(false, std::forward<CompletionToken>(token));
    }

    /// Lists the staff now (one request shared with concurrent refreshes and lookups).
    template <class CompletionToken = asio::deferred_t>
    auto async_refresh(CompletionToken&& token = {}) {
        return async_list(true, std::forward<CompletionToken>(token));
    }

    /// The next lookup lists the staff again (someone joined, left, or changed status).
    void invalidate() noexcept { cache_->invalidate(); }

private:
    template <class CompletionToken>
    auto async_list(bool force, CompletionToken&& token) {
        return asio::async_initiate<CompletionToken, void(error_code, users_snapshot)>(
            [](auto handler, std::shared_ptr<cache> c, bool force) {
                c->async_wait(detail::answer_with(std::move(handler),
                                                  [](const detail::staff_index& ix) {
                                                      return std::pair<error_code, users_snapshot>({}, ix.staff);
                                                  }),
                              force);
            },
            token, cache_, force);
    }

    page_id page_;
    std::shared_ptr<cache> cache_;
};

} // namespace pancake::workflow
