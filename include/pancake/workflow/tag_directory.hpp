// A page's tags by name and by id, from GET /tags, kept for a TTL.
//
// Rules and people name tags ("Đặt hàng"); the API wants ids. Listing the tags for every lookup
// would spend the page's 5 requests per second on something that changes a few times a year, so
// the listing is kept (directory_options::ttl, one hour by default, on the client's clock) and
// refreshed single-flight: while a refresh is in flight, every lookup waits for it, and however
// many they are, one GET /tags goes out. Its error reaches every waiter.
//
//   workflow::tag_directory tags(api, page);
//   tag t = co_await tags.async_find("đặt HÀNG", asio::use_awaitable);   // finds "Đặt hàng"
//   auto [ec, t2] = co_await tags.async_get(tag_id{3}, asio::as_tuple(asio::deferred));
//
// Operations follow Asio's universal model (signature void(error_code, T); deferred by default;
// use_awaitable, as_tuple, callbacks work). A waiter whose cancellation slot fires (any type)
// completes alone with operation_aborted; the refresh goes on for the others. Errors: the
// client's (pancake::errc, transport), state_error::unknown_tag, state_error::ambiguous_name,
// errc::invalid_argument for a name that is not UTF-8.
//
// Use it from the client's executor (or strand); the client must outlive it and stay where it
// is (the directory keeps its address). Lookups still waiting when the directory is destroyed
// complete when their request ends (the request keeps the cache alive).
#pragma once

#include <pancake/client.hpp>
#include <pancake/workflow/detail/client_clock.hpp>
#include <pancake/workflow/detail/handlers.hpp>
#include <pancake/workflow/detail/name_index.hpp>
#include <pancake/workflow/detail/snapshot_cache.hpp>
#include <pancake/workflow/directory_options.hpp>
#include <pancake/workflow/state_error.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pancake::workflow {

namespace detail {

/// One GET /tags, indexed.
struct tag_index {
    std::vector<tag> tags;
    std::unordered_map<tag_id, std::size_t> by_id;
    name_index by_name;

    tag_index(std::vector<tag> list, text::accent_mode accents) : tags(std::move(list)), by_name(accents) {
        for (std::size_t i = 0; i < tags.size(); ++i) {
            by_id.emplace(tags[i].id, i);
            by_name.add(tags[i].text, i);
        }
    }

    std::pair<error_code, tag> find(std::string_view name) const {
        const auto r = by_name.find(name);
        switch (r.match) {
        case name_match::found:
            return {{}, tags[r.position]};
        case name_match::ambiguous:
            return {state_error::ambiguous_name, {}};
        case name_match::unreadable:
            return {errc::invalid_argument, {}};
        case name_match::none:
            break;
        }
        return {state_error::unknown_tag, {}};
    }
    std::pair<error_code, tag> get(tag_id id) const {
        auto it = by_id.find(id);
        if (it == by_id.end()) return {state_error::unknown_tag, {}};
        return {{}, tags[it->second]};
    }
};

} // namespace detail

class tag_directory {
    using cache = detail::snapshot_cache<detail::tag_index>;

public:
    tag_directory(client& api, page_id page, directory_options opts = {})
        : page_(std::move(page)),
          cache_(std::make_shared<cache>(
              api.get_executor(), detail::clock_of(api), opts.ttl,
              [api = &api, page = page_, accents = opts.accents](cache::fetch_handler h) {
                  api->async_list_tags(page, [h = std::move(h), accents](error_code ec, std::vector<tag> tags) mutable {
                      if (ec) return std::move(h)(ec, nullptr);
                      std::move(h)(ec, std::make_shared<const detail::tag_index>(std::move(tags), accents));
                  });
              })) {}

    const page_id& page() const noexcept { return page_; }

    /// The tag named `name` (folded: case, NFC, and accents if the options say so).
    template <class CompletionToken = asio::deferred_t>
    auto async_find(std::string_view name, CompletionToken&& token = {}) {
        return asio::async_initiate<CompletionToken, void(error_code, tag)>(
            [](auto handler, std::shared_ptr<cache> c, std::string name) {
                c->async_wait(detail::answer_with(
                                  std::move(handler),
                                  [name = std::move(name)](const detail::tag_index& ix) { return ix.find(name); }),
                              false);
            },
            token, cache_, std::string(name));
    }

    /// The tag with id `id`.
    template <class CompletionToken = asio::deferred_t>
    auto async_get(tag_id id, CompletionToken&& token = {}) {
        return asio::async_initiate<CompletionToken, void(error_code, tag)>(
            [](auto handler, std::shared_ptr<cache> c, tag_id id) {
                c->async_wait(
                    detail::answer_with(std::move(handler), [id](const detail::tag_index& ix) { return ix.get(id); }),
                    false);
            },
            token, cache_, id);
    }

    /// Every tag of the page, as GET /tags lists them (from the cache while it is fresh).
    template <class CompletionToken = asio::deferred_t>
    auto async_tags(CompletionToken&& token = {}) {
        return async_list(false, std::forward<CompletionToken>(token));
    }

    /// Lists the tags now (one request shared with concurrent refreshes and lookups) and
    /// completes with them.
    template <class CompletionToken = asio::deferred_t>
    auto async_refresh(CompletionToken&& token = {}) {
        return async_list(true, std::forward<CompletionToken>(token));
    }

    /// The next lookup lists the tags again (after a tag was created, renamed or deleted).
    void invalidate() noexcept { cache_->invalidate(); }

private:
    template <class CompletionToken>
    auto async_list(bool force, CompletionToken&& token) {
        return asio::async_initiate<CompletionToken, void(error_code, std::vector<tag>)>(
            [](auto handler, std::shared_ptr<cache> c, bool force) {
                c->async_wait(detail::answer_with(std::move(handler),
                                                  [](const detail::tag_index& ix) {
                                                      return std::pair<error_code, std::vector<tag>>({}, ix.tags);
                                                  }),
                              force);
            },
            token, cache_, force);
    }

    page_id page_;
    std::shared_ptr<cache> cache_;
};

} // namespace pancake::workflow
