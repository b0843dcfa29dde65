// The seed article's §8 as a component behind the webhook processor: for each customer message,
// tag the conversation with what the keyword rules call for, assign a staff member (round robin)
// when nobody is assigned, and optionally mark it read. The processor has already dropped
// repeats, stale updates and the page's own messages, and runs one conversation's events one at a
// time; this adds the actions, each reported to a journal callback. An action that fails throws,
// so the processor retries the event. Every action is safe to repeat: a tag add is a set
// operation, marking read is too, and the assignee chosen for an event is remembered until the
// event succeeds, so a retry assigns the same person (assign replaces the whole set).
//
// An event's conversation is a snapshot taken when the event was sent: while the pipeline works
// through a backlog, a customer's later messages still show the conversation unassigned although
// the pipeline has assigned it since, and assigning again would hand it to the next person in
// the rotation at every message. So the pipeline remembers when (the server's `updated_at` in the
// assign answer) it assigned each conversation, and leaves an "unassigned" snapshot alone when
// the message in it is not newer than that (both times are the server's: no clock skew). A
// message sent after the assignment that still shows nobody assigned means someone unassigned
// the conversation since: it is assigned again.
//
// One JSON file configures it:
//   { "rules": [ { "tag": "Đặt hàng", "keywords": ["đặt hàng", "mua"] }, … ],   (keyword_rules)
//     "assign_unassigned": true,
//     "staff": ["c4bafd84-…", "fb5ff8ed-…"],   the round-robin pool (empty: never assign), or
//              {"<page id>": ["…"], …}            one pool per page
//     "mark_read": false }
//
// Needs pancake::text (the keyword rules fold Unicode with utf8proc).
#pragma once

#include <pancake/client.hpp>
#include <pancake/webhook/event.hpp>
#include <pancake/webhook/processor.hpp>
#include <pancake/workflow/assigners.hpp>
#include <pancake/workflow/cursor_store.hpp>
#include <pancake/workflow/detail/turn_queue.hpp>
#include <pancake/workflow/keyword_rules.hpp>
#include <pancake/workflow/tag_directory.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace pancake::workflow {

struct pipeline_config {
    keyword_rules rules;
    bool assign_unassigned = true;
    std::vector<user_id> staff; ///< the round-robin pool; empty: the pipeline never assigns
    std::map<std::string, std::vector<user_id>, std::less<>> staff_by_page; ///< per page, before `staff`

    /// The pool for `page`.
    const std::vector<user_id>& staff_of(const page_id& page) const {
        auto it = staff_by_page.find(page.value());
        return it != staff_by_page.end() ? it->second : staff;
    }
    bool mark_read = false; ///< mark the conversation read once handled

    static config_result<pipeline_config> parse(std::string_view json_text);
    static config_result<pipeline_config> from_json(const boost::json::value& config);
};

/// One thing the pipeline did (or tried): what an operator's journal records.
struct pipeline_action {
    page_id page;
    conversation_id conversation;
    std::string what;   ///< "tag", "assign", "read", "unknown_tag"
    std::string detail; ///< the tag's name, the user id
    error_code ec;      ///< empty: done
};

struct pipeline_stats {
    std::uint64_t messages = 0; ///< customer messages seen
    std::uint64_t tagged = 0, assigned = 0, read = 0, failures = 0;
    std::uint64_t stale_unassigned = 0; ///< "unassigned" snapshots older than the pipeline's own assignment
};

class pipeline {
public:
    /// `cursors` keeps the round-robin position (memory_cursor_store, file_cursor_store).
    pipeline(client& api, pipeline_config cfg, cursor_store& cursors,
             std::function<void(const pipeline_action&)> journal = {}, directory_options dirs = {})
        : api_(&api), cfg_(std::move(cfg)), rr_(cursors), journal_(std::move(journal)), dirs_(dirs) {}

    /// Other writers of the same conversations (a bulk job, an operator tool) can share these
    /// turns, keyed "page/conversation": the pipeline then acts on a conversation only while it
    /// holds its turn, so their writes and its writes apply in the order they were decided.
    void share_turns(std::shared_ptr<detail::turn_queue> turns) { turns_ = std::move(turns); }

    /// What webhook::processor calls for each event.
    webhook::event_handler handler() {
        return webhook::awaitable_handler(api_->get_executor(),
                                          [this](const webhook::received_event& e) { return handle(e); });
    }

    /// Handles one event; throws system_error when an action failed (the processor retries).
    boost::asio::awaitable<void> handle(webhook::received_event e) {
        namespace asio = boost::asio;
        using webhook::detail::at_path;
        using webhook::detail::string_at;
        if (e.kind != webhook::event_kind::messaging || e.echo || !e.page) co_return;
        const auto* conv = at_path(e.raw, {"data", "conversation"});
        const auto* msg = at_path(e.raw, {"data", "message"});
        if (!conv || !msg || !conv->is_object()) co_return;
        const page_id page = *e.page;
        const conversation_id cid(string_at(*conv, {"id"}));
        if (cid.value().empty()) co_return; // nothing to act on (retrying would not change that)
        std::string text = string_at(*msg, {"original_message"});
        if (text.empty()) text = string_at(*msg, {"message"});
        ++stats_.messages;

        std::optional<detail::turn> turn; // passed on at every exit, the throws included
        if (turns_) {
            const auto key = page.value() + "/" + cid.value();
            co_await turns_->async_take_turn(key, asio::deferred);
            turn.emplace(turns_, key);
        }
        auto& dir = directory(page);
        for (auto& name : cfg_.rules.tags_for(text)) {
            auto [fec, t] = co_await dir.async_find(name, asio::as_tuple(asio::deferred));
            if (fec == state_error::unknown_tag || fec == state_error::ambiguous_name) {
                report({page, cid, "unknown_tag", name, fec}); // a configuration matter: retrying will not help
                continue;
            }
            if (fec) fail({page, cid, "tag", name, fec});
            auto [ec, r] = co_await api_->async_add_tag(page, cid, t.id, asio::as_tuple(asio::deferred));
            if (ec) fail({page, cid, "tag", name, ec});
            ++stats_.tagged;
            report({page, cid, "tag", name, {}});
        }

        const auto* assignees = conv->as_object().if_contains("assignee_ids");
        bool unassigned = assignees && assignees->is_array() && assignees->as_array().empty();
        const auto conv_key = page.value() + "/" + cid.value();
        if (unassigned) {
            const auto sent = utc_time::parse(string_at(*msg, {"inserted_at"}));
            auto it = assigned_at_.find(conv_key);
            if (sent && it != assigned_at_.end() && *sent <= it->second) {
                unassigned = false; // a snapshot from before our own assignment
                ++stats_.stale_unassigned;
            }
        }
        if (const auto& pool = cfg_.staff_of(page); cfg_.assign_unassigned && unassigned && !pool.empty()) {
            std::optional<user_id> who;
            if (auto it = chosen_.find(e.dedupe_key); it != chosen_.end()) {
                who = it->second; // a retry of this event: the same person
            } else {
                auto next = rr_.next(page, pool);
                if (!next) fail({page, cid, "assign", "", next.error()});
                who = *next;
                if (who) {
                    if (chosen_.size() >= max_remembered) chosen_.clear(); // (dead letters' choices)
                    chosen_.emplace(e.dedupe_key, *who);
                }
            }
            if (who) {
                std::vector<user_id> set{*who};
                auto [ec, r] = co_await api_->async_assign(page, cid, std::move(set), asio::as_tuple(asio::deferred));
                if (ec) fail({page, cid, "assign", who->value(), ec});
                if (r.updated_at) {
                    if (assigned_at_.size() >= max_remembered) assigned_at_.clear();
                    assigned_at_[conv_key] = *r.updated_at;
                }
                ++stats_.assigned;
                report({page, cid, "assign", who->value(), {}});
            }
        }

        if (cfg_.mark_read) {
            auto [ec, r] = co_await api_->async_mark_read(page, cid, asio::as_tuple(asio::deferred));
            if (ec) fail({page, cid, "read", "", ec});
            ++stats_.read;
            report({page, cid, "read", "", {}});
        }
        chosen_.erase(e.dedupe_key);
    }

    const pipeline_stats& stats() const noexcept { return stats_; }
    const pipeline_config& config() const noexcept { return cfg_; }

private:
    tag_directory& directory(const page_id& page) {
        auto it = dirs_by_page_.find(page.value());
        if (it == dirs_by_page_.end())
            it = dirs_by_page_.emplace(page.value(), std::make_unique<tag_directory>(*api_, page, dirs_)).first;
        return *it->second;
    }
    void report(const pipeline_action& a) {
        if (journal_) journal_(a);
    }
    [[noreturn]] void fail(const pipeline_action& a) {
        ++stats_.failures;
        report(a);
        throw boost::system::system_error(a.ec, "pipeline " + a.what);
    }

    client* api_;
    pipeline_config cfg_;
    round_robin_assigner rr_;
    std::function<void(const pipeline_action&)> journal_;
    directory_options dirs_;
    std::map<std::string, std::unique_ptr<tag_directory>> dirs_by_page_;
    std::shared_ptr<detail::turn_queue> turns_;
    static constexpr std::size_t max_remembered = 10'000;
    std::map<std::string, user_id> chosen_;       // event → assignee, until the event succeeds
    std::map<std::string, utc_time> assigned_at_; // "page/conversation" → when the pipeline assigned it
    pipeline_stats stats_;
};

inline config_result<pipeline_config> pipeline_config::parse(std::string_view json_text) {
    boost::system::error_code ec;
    auto v = boost::json::parse(json_text, ec);
    if (ec) return detail::make_config_error(error::config_not_json, "", "not valid JSON (" + ec.message() + ")");
    return from_json(v);
}

inline config_result<pipeline_config> pipeline_config::from_json(const boost::json::value& config) {
    using detail::json_kind;
    using detail::make_config_error;
    const auto* root = config.if_object();
    if (!root)
        return make_config_error(error::config_wrong_type, "",
                                 std::string("must be a JSON object, not ") + json_kind(config));
    pipeline_config out;
    for (const auto& kv : *root) {
        const std::string key(kv.key());
        const auto& v = kv.value();
        if (key == "rules") continue; // below, by keyword_rules
        if (key == "assign_unassigned" || key == "mark_read") {
            if (!v.is_bool())
                return make_config_error(error::config_wrong_type, key,
                                         std::string("must be true or false, not ") + json_kind(v));
            (key == "mark_read" ? out.mark_read : out.assign_unassigned) = v.as_bool();
            continue;
        }
        if (key == "staff") {
            auto ids = [&](const boost::json::value& x, const std::string& path,
                           std::vector<user_id>& into) -> std::optional<config_error> {
                const auto* list = x.if_array();
                if (!list)
                    return make_config_error(error::config_wrong_type, path,
                                             std::string("must be an array of user ids, not ") + json_kind(x));
                for (std::size_t i = 0; i < list->size(); ++i) {
                    const auto* id = (*list)[i].if_string();
                    const auto at = path + "[" + std::to_string(i) + "]";
                    if (!id) return make_config_error(error::config_wrong_type, at, "must be a user id (a string)");
                    if (id->empty()) return make_config_error(error::config_invalid_value, at, "is empty");
                    if (std::find(into.begin(), into.end(), user_id(std::string(*id))) != into.end())
                        return make_config_error(error::config_invalid_value, at, "repeats a user id");
                    into.emplace_back(std::string(*id));
                }
                return std::nullopt;
            };
            if (const auto* pages = v.if_object()) {
                for (const auto& p : *pages)
                    if (p.key().empty())
                        return make_config_error(error::config_invalid_value, key, "has an empty page id");
                    else if (auto err = ids(p.value(), key + "." + std::string(p.key()),
                                            out.staff_by_page[std::string(p.key())]))
                        return *err;
            } else if (auto err = ids(v, key, out.staff)) {
                return *err;
            }
            continue;
        }
        return make_config_error(error::config_unknown_field, key,
                                 "unknown field (rules, assign_unassigned, staff, mark_read)");
    }
    const auto* rules = root->if_contains("rules");
    if (!rules) return make_config_error(error::config_missing_field, "rules", "missing (an array of rules)");
    auto parsed = keyword_rules::from_json(boost::json::object{{"rules", *rules}});
    if (!parsed) return parsed.error();
    out.rules = std::move(*parsed);
    return out;
}

} // namespace pancake::workflow
