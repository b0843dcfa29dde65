// Long jobs: many conversations, a progress bar, a summary, and a clean stop on SIGINT.
#include "commands.hpp"
#include "exit_codes.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

namespace pancake::cli {

namespace json = boost::json;
using asio::as_tuple;
using asio::use_awaitable;

namespace {

struct item_failure {
    std::string conversation;
    int code;
    std::string message;
};

json::array failures_json(const output& out, const std::vector<item_failure>& failures) {
    json::array a;
    for (auto& f : failures)
        a.push_back(json::object{{"conversation", f.conversation},
                                 {"exit_code", f.code},
                                 {"kind", exit_kind(f.code)},
                                 {"message", out.scrub(f.message)}});
    return a;
}

} // namespace

// clear-tags: walk the filter (every matching conversation, past the 60 cap), then remove each
// tag of each conversation that has any, one call per tag. The listing comes first so that the
// removals (which move a conversation's updated_at) cannot disturb the walk; a tag added to a
// conversation between the listing and its turn stays.
asio::awaitable<int> run_clear_tags(session& s) {
    if (!has_filter(s) && !s.flag("any"))
        throw usage_error(
            "clear-tags needs a filter (--type, --tag, --since, --until) or --any for every conversation");
    if (has_filter(s) && s.flag("any")) throw usage_error("--any means no filter: drop it or the filter");
    auto filter = co_await read_filter(s);

    diagnostics d;
    workflow::walk_options wo;
    wo.call = s.call();
    wo.call.diag = &d;
    workflow::conversation_walk walk(s.api, s.page, filter, wo);
    std::vector<conversation> todo;
    std::size_t matched = 0;
    s.out.note("listing the matching conversations…");
    for (;;) {
        auto [ec, batch] = co_await walk.async_next(as_tuple(use_awaitable));
        if (ec) fail(ec, &d, "listing conversations");
        if (batch.empty()) break;
        for (auto& c : batch) {
            ++matched;
            if (!c.tag_ids().empty()) todo.push_back(std::move(c));
        }
    }

    if (s.flag("dry-run")) {
        if (s.out.json()) {
            json::array a;
            for (auto& c : todo) {
                json::array tags;
                for (auto& t : c.tag_ids())
                    tags.emplace_back(t.value());
                a.push_back(json::object{{"conversation", c.id.value()}, {"tags", std::move(tags)}});
            }
            s.out.document(json::object{
                {"dry_run", true}, {"matched", matched}, {"total", todo.size()}, {"conversations", std::move(a)}});
            co_return exit_ok;
        }
        std::vector<std::vector<std::string>> rows;
        for (auto& c : todo) {
            std::string tags;
            for (auto& t : c.tags)
                if (t) tags += (tags.empty() ? "" : ", ") + t->text;
            rows.push_back({c.id.value(), tags});
        }
        s.out.table({"ID", "TAGS"}, rows);
        s.out.line("dry run: " + std::to_string(todo.size()) + " of " + std::to_string(matched) +
                   " matching conversations have tags; nothing changed");
        co_return exit_ok;
    }

    bool stop = false;
    s.on_interrupt = [&] {
        stop = true;
        s.out.note("\ninterrupted: stopping after the current conversation (again: stop at once)");
    };
    progress bar("clear-tags", todo.size(), !s.out.quiet() && !s.out.json(), [&] { return s.api.stats(); });
    std::vector<item_failure> failures;
    std::size_t removed = 0, cleared = 0, done = 0;
    for (auto& c : todo) {
        if (stop) break;
        bool ok = true;
        for (auto& t : c.tag_ids()) {
            diagnostics cd;
            auto o = s.call();
            o.diag = &cd;
            auto [ec, r] = co_await s.api.async_remove_tag(s.page, c.id, t, o, as_tuple(use_awaitable));
            if (ec) {
                failure f(ec, &cd, "removing tag " + std::to_string(t.value()) + " from " + c.id.value());
                if (f.code() == exit_auth) {
                    s.on_interrupt = nullptr;
                    bar.finish();
                    throw f; // every further call would fail the same way
                }
                failures.push_back({c.id.value(), f.code(), f.what()});
                ok = false;
                break;
            }
            ++removed;
        }
        ++done;
        if (ok) ++cleared;
        bar.advance(1, !ok);
    }
    s.on_interrupt = nullptr;
    bar.finish();

    const int rc = stop ? exit_interrupted : failures.empty() ? exit_ok : exit_partial;
    if (s.out.json()) {
        s.out.document(json::object{{"matched", matched},
                                    {"total", todo.size()},
                                    {"done", done},
                                    {"cleared", cleared},
                                    {"failed", failures.size()},
                                    {"tags_removed", removed},
                                    {"interrupted", stop},
                                    {"failures", failures_json(s.out, failures)}});
    } else {
        for (auto& f : failures)
            s.out.note("failed: " + f.message);
        s.out.line("clear-tags: " + std::to_string(done) + "/" + std::to_string(todo.size()) + " conversations done (" +
                   std::to_string(cleared) + " cleared, " + std::to_string(removed) + " tags removed, " +
                   std::to_string(failures.size()) + " failed" + (stop ? ", interrupted" : "") + "); " +
                   std::to_string(matched) + " matched the filter");
    }
    co_return rc;
}

} // namespace pancake::cli
