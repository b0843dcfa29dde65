// Moving a staff member's conversations to others (someone on leave), in two steps:
//
// 1. Plan: walk the page's conversations (conversation_walk: none lost to the listing's cap),
//    keep those assigned to `from`, and decide each one's new assignee set now: the old set
//    without `from`, plus one of `to` chosen by round robin (id order) or least loaded (loads
//    counted over the whole walk, and growing as the plan hands out conversations). A
//    conversation that already has someone from `to` only loses `from`. The plan is data: it
//    says before any write who gets what, can be shown to an operator, and saved.
// 2. Run: assign each item's set (POST …/assign replaces the whole set, so the plan's set is
//    the complete answer), `concurrency` at a time through the client's rate limiter (the whole
//    budget, no 429), and check the server's answer. Each item's state is kept in the plan;
//    save it on every checkpoint (save_reassign_plan, crash-safe) and an interrupted job resumes
//    with load_reassign_plan + run again, doing only what is left. An item cut short by the
//    interruption is repeated: assigning the same set twice is harmless.
//
//   auto [ec, plan] = co_await workflow::async_plan_reassign(api, page, on_leave, {an, binh}, {},
//                                                            asio::as_tuple(asio::use_awaitable));
//   auto [ec2, p] = co_await workflow::async_run_reassign(api, plan,
//       {.on_checkpoint = [&] { workflow::save_reassign_plan("leave.json", plan); }},
//       asio::as_tuple(asio::use_awaitable));
//
// The plan is a snapshot: a conversation someone re-assigns by hand between plan and run gets
// the plan's set. Run it soon after planning, and share turns with live writers (pipeline::
// share_turns) if a bot edits the same page.
#pragma once

#include <pancake/client.hpp>
#include <pancake/workflow/assignees.hpp>
#include <pancake/workflow/assigners.hpp>
#include <pancake/workflow/bulk.hpp>
#include <pancake/workflow/conversation_walk.hpp>
#include <pancake/workflow/detail/atomic_file.hpp>
#include <pancake/workflow/detail/config_json.hpp>
#include <pancake/workflow/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/system/result.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace pancake::workflow {

enum class reassign_strategy : std::uint8_t {
    round_robin,  ///< `to` in turn, in id order
    least_loaded, ///< whoever of `to` holds the fewest conversations of the page (ties in turn)
};

struct reassign_options {
    walk_filter filter; ///< which conversations to consider (default: the whole page)
    reassign_strategy strategy = reassign_strategy::round_robin;
    walk_options walk;
};

/// The job: who moves, and per conversation the set before and the set to write.
struct reassign_plan {
    page_id page;
    user_id from;
    std::vector<user_id> to;
    std::vector<bulk_item> items;             ///< the conversations and how each went
    std::vector<std::vector<user_id>> before; ///< items[i]'s assignees when planned
    std::vector<std::vector<user_id>> after;  ///< what items[i] gets

    std::size_t count(item_state s) const {
        return static_cast<std::size_t>(
            std::count_if(items.begin(), items.end(), [s](const bulk_item& i) { return i.state == s; }));
    }

    /// The plan as JSON (what save_reassign_plan writes).
    boost::json::object to_json() const;
    /// Reads to_json's output back; errors name the field.
    static boost::system::result<reassign_plan, config_error> from_json(const boost::json::value& v);
};

/// Saves the plan to `path`, replacing it atomically (a crash leaves the old one or the new one).
inline error_code save_reassign_plan(const std::string& path, const reassign_plan& plan) {
    return detail::replace_whole_file(path, boost::json::serialize(plan.to_json()));
}

/// The plan saved at `path`; nullopt when there is no such file.
inline boost::system::result<std::optional<reassign_plan>, config_error> load_reassign_plan(const std::string& path) {
    auto text = detail::read_whole_file(path);
    if (!text) return config_error{text.error(), "", {}, "", path + ": " + text.error().message()};
    if (!*text) return std::optional<reassign_plan>();
    error_code ec;
    auto v = boost::json::parse(**text, ec);
    if (ec)
        return config_error{
            make_error_code(error::config_not_json), "", {}, "", path + ": not valid JSON (" + ec.message() + ")"};
    auto plan = reassign_plan::from_json(v);
    if (!plan) {
        auto e = plan.error();
        e.message = path + ": " + e.message;
        return e;
    }
    return std::optional<reassign_plan>(std::move(*plan));
}

namespace detail {

inline bool holds(const std::vector<user_id>& set, const user_id& u) {
    return std::find(set.begin(), set.end(), u) != set.end();
}

inline asio::awaitable<std::pair<error_code, reassign_plan>>
plan_reassign(client* api, page_id page, user_id from, std::vector<user_id> to, reassign_options opts) {
    reassign_plan plan;
    plan.page = page;
    plan.from = from;
    std::erase(to, from); // moving someone's conversations to themselves is nothing
    std::sort(to.begin(), to.end());
    to.erase(std::unique(to.begin(), to.end()), to.end());
    plan.to = to;

    // Every conversation is read before any is planned, so the loads are the page's.
    staff_load load;
    std::vector<std::pair<conversation_id, std::vector<user_id>>> theirs;
    conversation_walk walk(*api, page, opts.filter, opts.walk);
    auto [ec, n] = co_await walk.async_for_each(
        [&](const conversation& c) {
            for (const auto& u : c.assignee_ids)
                ++load[u];
            if (holds(c.assignee_ids, from)) theirs.emplace_back(c.id, c.assignee_ids);
        },
        asio::as_tuple(asio::use_awaitable));
    (void)n;
    if (ec) co_return std::pair<error_code, reassign_plan>(ec, std::move(plan));

    std::optional<user_id> last;
    for (auto& [id, before] : theirs) {
        std::vector<user_id> after;
        for (const auto& u : before)
            if (u != from && !holds(after, u)) after.push_back(u);
        const bool covered = std::any_of(to.begin(), to.end(), [&](const user_id& u) { return holds(after, u); });
        if (!covered && !to.empty()) {
            auto who = opts.strategy == reassign_strategy::least_loaded ? least_loaded(to, load, last)
                                                                        : next_in_rotation(to, last);
            after.push_back(*who);
            ++load[*who];
            last = who;
        }
        plan.items.push_back(bulk_item{id, item_state::pending, {}});
        plan.before.push_back(std::move(before));
        plan.after.push_back(std::move(after));
    }
    co_return std::pair<error_code, reassign_plan>(error_code{}, std::move(plan));
}

} // namespace detail

/// Plans moving `from`'s conversations on `page` to `to` (see the top of this file).
/// Signature void(error_code, reassign_plan); the client's errors, or the walk's.
template <class CompletionToken = asio::deferred_t>
auto async_plan_reassign(client& api, page_id page, user_id from, std::vector<user_id> to, reassign_options opts = {},
                         CompletionToken&& token = {}) {
    return detail::spawn_edit<reassign_plan>(
        api.get_executor(),
        [api = &api, page = std::move(page), from = std::move(from), to = std::move(to), opts = std::move(opts)] {
            return detail::plan_reassign(api, page, from, to, opts);
        },
        std::forward<CompletionToken>(token));
}

/// Carries out the plan's pending items (and failed ones, with retry_failed): one assign call
/// each, checked against the answer (state_error::change_not_applied when it disagrees).
/// `plan` must stay alive and unchanged in size until completion; its items record the outcome.
/// Signature void(error_code, bulk_progress), as async_run_bulk.
template <class CompletionToken = asio::deferred_t>
auto async_run_reassign(client& api, reassign_plan& plan, bulk_options opts = {}, CompletionToken&& token = {}) {
    auto assign = [api = &api, plan = &plan](const bulk_item& item, std::size_t i) -> asio::awaitable<error_code> {
        auto wanted = plan->after.at(i);
        auto [ec, r] =
            co_await api->async_assign(plan->page, item.conversation, wanted, asio::as_tuple(asio::use_awaitable));
        if (ec) co_return ec;
        if (!detail::same_set(r.assignee_ids, wanted)) co_return error_code(state_error::change_not_applied);
        co_return error_code{};
    };
    return async_run_bulk(api, plan.items, std::move(assign), std::move(opts), std::forward<CompletionToken>(token));
}

// ---- JSON ----

namespace detail {

inline boost::json::array ids_json(const std::vector<user_id>& ids) {
    boost::json::array a;
    for (const auto& u : ids)
        a.emplace_back(u.value());
    return a;
}

} // namespace detail

inline boost::json::object reassign_plan::to_json() const {
    boost::json::array list;
    for (std::size_t i = 0; i < items.size(); ++i) {
        boost::json::object o{{"conversation_id", items[i].conversation.value()},
                              {"before", detail::ids_json(before[i])},
                              {"after", detail::ids_json(after[i])},
                              {"state", to_string(items[i].state)}};
        if (!items[i].error.empty()) o["error"] = items[i].error;
        list.push_back(std::move(o));
    }
    return {{"job", "reassign"},          {"version", 1},
            {"page_id", page.value()},    {"from", from.value()},
            {"to", detail::ids_json(to)}, {"items", std::move(list)}};
}

inline boost::system::result<reassign_plan, config_error> reassign_plan::from_json(const boost::json::value& v) {
    using detail::json_kind;
    using detail::make_config_error;
    const auto* root = v.if_object();
    if (!root)
        return make_config_error(error::config_wrong_type, "",
                                 std::string("must be a JSON object, not ") + json_kind(v));
    auto str = [&](const boost::json::object& o, const char* key, const std::string& path,
                   std::string& out) -> std::optional<config_error> {
        const auto* x = o.if_contains(key);
        if (!x) return make_config_error(error::config_missing_field, path, "missing");
        if (!x->is_string() || x->as_string().empty())
            return make_config_error(error::config_wrong_type, path, "must be a non-empty string");
        out = std::string(x->as_string());
        return std::nullopt;
    };
    auto ids = [&](const boost::json::object& o, const char* key, const std::string& path,
                   std::vector<user_id>& out) -> std::optional<config_error> {
        const auto* x = o.if_contains(key);
        if (!x) return make_config_error(error::config_missing_field, path, "missing");
        if (!x->is_array()) return make_config_error(error::config_wrong_type, path, "must be an array of user ids");
        for (std::size_t i = 0; i < x->as_array().size(); ++i) {
            const auto& e = x->as_array()[i];
            if (!e.is_string() || e.as_string().empty())
                return make_config_error(error::config_wrong_type, path + "[" + std::to_string(i) + "]",
                                         "must be a user id (a non-empty string)");
            out.emplace_back(std::string(e.as_string()));
        }
        return std::nullopt;
    };
    if (const auto* job = root->if_contains("job"); !job || !job->is_string() || job->as_string() != "reassign")
        return make_config_error(error::config_invalid_value, "job", "must be \"reassign\" (not a re-assign plan)");
    if (const auto* ver = root->if_contains("version"); !ver || !ver->is_int64() || ver->as_int64() != 1)
        return make_config_error(error::config_invalid_value, "version", "must be 1");
    reassign_plan p;
    std::string s;
    if (auto e = str(*root, "page_id", "page_id", s)) return *e;
    p.page = page_id(s);
    if (auto e = str(*root, "from", "from", s)) return *e;
    p.from = user_id(s);
    if (auto e = ids(*root, "to", "to", p.to)) return *e;
    const auto* list = root->if_contains("items");
    if (!list || !list->is_array()) return make_config_error(error::config_wrong_type, "items", "must be an array");
    for (std::size_t i = 0; i < list->as_array().size(); ++i) {
        const auto path = "items[" + std::to_string(i) + "]";
        const auto* o = list->as_array()[i].if_object();
        if (!o) return make_config_error(error::config_wrong_type, path, "must be an object");
        bulk_item item;
        if (auto e = str(*o, "conversation_id", path + ".conversation_id", s)) return *e;
        item.conversation = conversation_id(s);
        if (auto e = str(*o, "state", path + ".state", s)) return *e;
        auto st = item_state_from(s);
        if (!st)
            return make_config_error(error::config_invalid_value, path + ".state", "must be pending, done or failed");
        item.state = *st;
        if (const auto* err = o->if_contains("error"); err && err->is_string())
            item.error = std::string(err->as_string());
        std::vector<user_id> before, after;
        if (auto e = ids(*o, "before", path + ".before", before)) return *e;
        if (auto e = ids(*o, "after", path + ".after", after)) return *e;
        p.items.push_back(std::move(item));
        p.before.push_back(std::move(before));
        p.after.push_back(std::move(after));
    }
    return p;
}

} // namespace pancake::workflow
