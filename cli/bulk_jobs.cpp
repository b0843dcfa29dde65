// bulk-reassign and follow-up: plan with the workflow layer (workflow/bulk_reassign.hpp,
// workflow/follow_up.hpp), show or run the plan through workflow::async_run_bulk with a progress
// bar; SIGINT cancels the run, which stops taking items, cuts the ones in flight short and
// saves the checkpoint (bulk-reassign --checkpoint) before the summary and exit code 6.
#include "commands.hpp"
#include "exit_codes.hpp"

#include <pancake/workflow/bulk.hpp>
#include <pancake/workflow/bulk_reassign.hpp>
#include <pancake/workflow/follow_up.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

namespace pancake::cli {

namespace json = boost::json;
using asio::as_tuple;
using asio::use_awaitable;

namespace {

std::size_t concurrency(const session& s) {
    const auto n = s.vm()["concurrency"].as<std::size_t>();
    if (n == 0 || n > 64) throw usage_error("--concurrency must be between 1 and 64");
    return n;
}

/// Runs `run(token)` (an async_run_* of the workflow layer) with the progress bar, cancelled by
/// the first SIGINT. Completes with the run's error (operation_aborted when interrupted).
template <class Run>
asio::awaitable<std::pair<error_code, workflow::bulk_progress>>
run_with_progress(session& s, const char* label, std::size_t total, workflow::bulk_options& opts, Run run) {
    asio::cancellation_signal cancel;
    s.on_interrupt = [&] {
        s.out.note("\ninterrupted: stopping (the items in flight are cut short and stay pending)");
        cancel.emit(asio::cancellation_type::terminal);
    };
    progress bar(label, total, !s.out.quiet() && !s.out.json(), [&] { return s.api.stats(); });
    opts.on_progress = [&](const workflow::bulk_progress& p) {
        bar.set_counts(p.done + p.failed, p.failed, p.done_this_run);
    };
    auto [ec, p] = co_await run(asio::bind_cancellation_slot(cancel.slot(), as_tuple(use_awaitable)));
    s.on_interrupt = nullptr;
    bar.finish();
    co_return std::pair<error_code, workflow::bulk_progress>(ec, p);
}

json::array failures_of(const output& out, const std::vector<workflow::bulk_item>& items) {
    json::array a;
    for (auto& it : items)
        if (it.state == workflow::item_state::failed)
            a.push_back(json::object{{"conversation", it.conversation.value()}, {"error", out.scrub(it.error)}});
    return a;
}

std::size_t count(const std::vector<workflow::bulk_item>& items, workflow::item_state st) {
    return static_cast<std::size_t>(
        std::count_if(items.begin(), items.end(), [st](const workflow::bulk_item& i) { return i.state == st; }));
}

/// The exit code and the summary line of a finished or interrupted run.
int finish_run(session& s, const char* job, const std::vector<workflow::bulk_item>& items, const error_code& ec,
               json::object doc, const std::string& what_done) {
    if (ec && ec != asio::error::operation_aborted) fail(ec, nullptr, std::string("running ") + job);
    const bool interrupted = ec == asio::error::operation_aborted;
    const auto done = count(items, workflow::item_state::done);
    const auto failed = count(items, workflow::item_state::failed);
    const auto pending = count(items, workflow::item_state::pending);
    if (s.out.json()) {
        doc["job"] = job;
        doc["total"] = items.size();
        doc["done"] = done;
        doc["failed"] = failed;
        doc["pending"] = pending;
        doc["interrupted"] = interrupted;
        doc["failures"] = failures_of(s.out, items);
        s.out.document(doc);
    } else {
        for (auto& it : items)
            if (it.state == workflow::item_state::failed)
                s.out.note("failed: " + it.conversation.value() + ": " + it.error);
        s.out.line(std::string(job) + ": " + std::to_string(done) + "/" + std::to_string(items.size()) + " " +
                   what_done + ", " + std::to_string(failed) + " failed, " + std::to_string(pending) + " pending" +
                   (interrupted ? " (interrupted)" : ""));
    }
    if (interrupted) return exit_interrupted;
    return failed ? exit_partial : exit_ok;
}

} // namespace

asio::awaitable<int> run_bulk_reassign(session& s) {
    const bool resume = s.flag("resume");
    const std::string checkpoint = s.vm().count("checkpoint") ? s.arg("checkpoint") : "";
    if (resume && checkpoint.empty()) throw usage_error("--resume needs --checkpoint FILE");
    const auto conc = concurrency(s);
    std::optional<user_id> from;
    std::vector<user_id> to;
    if (s.vm().count("from")) from = co_await resolve_user(s, s.arg("from"));
    if (s.vm().count("to"))
        for (auto& u : s.vm()["to"].as<std::vector<std::string>>()) {
            auto id = co_await resolve_user(s, u);
            to.push_back(std::move(id));
        }

    workflow::reassign_plan plan;
    if (resume) {
        auto loaded = workflow::load_reassign_plan(checkpoint);
        if (!loaded) throw usage_error(loaded.error().message);
        if (!*loaded) throw usage_error("no checkpoint at " + checkpoint + " to resume");
        plan = std::move(**loaded);
        if (plan.page != s.page)
            throw usage_error(checkpoint + " is a job of page " + plan.page.value() + ", not " + s.page.value());
        if (from && *from != plan.from) throw usage_error(checkpoint + " moves another user's conversations");
        if (!to.empty() && std::set<user_id>(to.begin(), to.end()) != std::set<user_id>(plan.to.begin(), plan.to.end()))
            throw usage_error(checkpoint + " moves them to other users");
        if (has_filter(s)) s.out.note("--resume: the filter is the checkpoint's; the options given are ignored");
        s.out.note("resuming " + checkpoint + ": " + std::to_string(plan.count(workflow::item_state::done)) +
                   " done, " + std::to_string(plan.count(workflow::item_state::failed)) + " failed, " +
                   std::to_string(plan.count(workflow::item_state::pending)) + " pending");
    } else {
        if (!from || to.empty()) throw usage_error("bulk-reassign needs --from USER and --to USER... (or --resume)");
        if (std::all_of(to.begin(), to.end(), [&](const user_id& u) { return u == *from; }))
            throw usage_error("--to must name someone other than --from");
        if (!checkpoint.empty() && std::filesystem::exists(checkpoint))
            throw usage_error(checkpoint + " exists: add --resume to continue that job, or remove the file");
        workflow::reassign_options ro;
        ro.filter = co_await read_filter(s);
        const auto strategy = s.arg("strategy");
        if (strategy == "least-loaded")
            ro.strategy = workflow::reassign_strategy::least_loaded;
        else if (strategy != "round-robin")
            throw usage_error("--strategy: round-robin or least-loaded, not '" + strategy + "'");
        diagnostics d;
        ro.walk.call = s.call();
        ro.walk.call.diag = &d;
        s.out.note("planning: reading the page's conversations…");
        auto [ec, p] = co_await workflow::async_plan_reassign(s.api, s.page, *from, to, ro, as_tuple(use_awaitable));
        if (ec) fail(ec, &d, "planning the re-assignment");
        plan = std::move(p);
        if (!checkpoint.empty())
            if (auto e = workflow::save_reassign_plan(checkpoint, plan))
                throw failure(exit_api, "writing the checkpoint " + checkpoint + ": " + e.message());
    }

    if (s.flag("dry-run")) {
        if (s.out.json()) {
            auto doc = plan.to_json();
            doc["dry_run"] = true;
            s.out.document(doc);
            co_return exit_ok;
        }
        std::vector<std::vector<std::string>> rows;
        auto names = [&](const std::vector<user_id>& ids) -> asio::awaitable<std::string> {
            std::string out;
            for (auto& id : ids) {
                auto [ec, m] = co_await s.staff.async_get(id, as_tuple(use_awaitable));
                out += (out.empty() ? "" : ", ") + (ec ? id.value() : m.name);
            }
            co_return out.empty() ? "(none)" : out;
        };
        for (std::size_t i = 0; i < plan.items.size(); ++i) {
            auto before = co_await names(plan.before[i]);
            auto after = co_await names(plan.after[i]);
            rows.push_back({plan.items[i].conversation.value(), before, after,
                            std::string(workflow::to_string(plan.items[i].state))});
        }
        s.out.table({"CONVERSATION", "BEFORE", "AFTER", "STATE"}, rows);
        s.out.line("dry run: " + std::to_string(plan.items.size()) + " conversations to move; nothing changed" +
                   (checkpoint.empty() ? "" : " (plan saved to " + checkpoint + ": run it with --resume)"));
        co_return exit_ok;
    }

    workflow::bulk_options bo;
    bo.concurrency = conc;
    std::string save_error;
    if (!checkpoint.empty())
        bo.on_checkpoint = [&] {
            if (auto e = workflow::save_reassign_plan(checkpoint, plan)) save_error = e.message();
        };
    auto start = [&](auto token) { return workflow::async_run_reassign(s.api, plan, bo, std::move(token)); };
    auto [ec, p] = co_await run_with_progress(s, "bulk-reassign", plan.items.size(), bo, start);
    (void)p;
    if (!save_error.empty()) s.out.note("could not save the checkpoint " + checkpoint + ": " + save_error);
    if (ec == asio::error::operation_aborted && checkpoint.empty())
        s.out.note("no --checkpoint: run the same command again to go on (moved conversations no longer hold "
                   "the user)");
    json::object doc{{"from", plan.from.value()}, {"to", json::array()}};
    for (auto& u : plan.to)
        doc["to"].as_array().emplace_back(u.value());
    if (!checkpoint.empty()) doc["checkpoint"] = checkpoint;
    int rc = finish_run(s, "bulk-reassign", plan.items, ec, std::move(doc), "conversations moved");
    if (!save_error.empty() && rc == exit_ok) rc = exit_api;
    co_return rc;
}

asio::awaitable<int> run_follow_up(session& s) {
    const double hours = s.vm()["older-than"].as<double>();
    if (!(hours > 0)) throw usage_error("--older-than must be a positive number of hours");
    const auto conc = concurrency(s);
    workflow::follow_up_options fo;
    fo.older_than = std::chrono::seconds(std::llround(hours * 3600.0));
    auto filter = co_await read_filter(s);
    if (filter.types.empty()) filter.types = fo.filter.types; // inbox unless told otherwise
    fo.filter = std::move(filter);
    diagnostics d;
    fo.walk.call = s.call();
    fo.walk.call.diag = &d;
    auto [ec, plan] = co_await workflow::async_plan_follow_up(s.api, s.page, fo, as_tuple(use_awaitable));
    if (ec) fail(ec, &d, "selecting the conversations to follow up");
    const auto cutoff = utc_time::from_unix(plan.cutoff).to_string();

    if (s.flag("dry-run")) {
        if (s.out.json()) {
            json::array a;
            for (auto& it : plan.items)
                a.emplace_back(it.conversation.value());
            s.out.document(json::object{
                {"dry_run", true}, {"cutoff", plan.cutoff}, {"total", plan.items.size()}, {"conversations", a}});
            co_return exit_ok;
        }
        for (auto& it : plan.items)
            s.out.line(it.conversation.value());
        s.out.line("dry run: " + std::to_string(plan.items.size()) + " conversations read before " + cutoff +
                   " UTC and not answered; nothing changed");
        co_return exit_ok;
    }
    workflow::bulk_options bo;
    bo.concurrency = conc;
    auto start = [&](auto token) { return workflow::async_run_follow_up(s.api, plan, bo, std::move(token)); };
    auto [rec, p] = co_await run_with_progress(s, "follow-up", plan.items.size(), bo, start);
    (void)p;
    co_return finish_run(s, "follow-up", plan.items, rec, json::object{{"cutoff", plan.cutoff}},
                         "conversations marked unread (read before " + cutoff + " UTC, unanswered)");
}

} // namespace pancake::cli
