// The commands. Each runs as a coroutine on the client's io_context, prints through `output`
// and completes with the exit code; a failure is thrown as cli::failure.
#pragma once

#include "options.hpp"
#include "output.hpp"

#include <pancake/client.hpp>
#include <pancake/conversation_query.hpp>
#include <pancake/workflow/conversation_walk.hpp>
#include <pancake/workflow/staff_directory.hpp>
#include <pancake/workflow/tag_directory.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace pancake::cli {

namespace asio = boost::asio;

/// What every command works with.
struct session {
    client& api;
    page_id page;
    output& out;
    const invocation& inv;
    workflow::tag_directory tags;
    workflow::staff_directory staff;
    /// Set by a long job while it can stop cleanly: the first SIGINT calls it (a second one, or
    /// one while this is empty, ends the process at once with exit code 6).
    std::function<void()> on_interrupt;
    /// Per-call settings (timeout).
    call_options call() const;

    const po::variables_map& vm() const { return inv.vm; }
    bool flag(const char* name) const { return vm().count(name) && vm()[name].as<bool>(); }
    std::string arg(const char* name) const { return vm()[name].as<std::string>(); }
};

/// Runs inv.command.
asio::awaitable<int> run_command(session& s);

// ---- shared by the commands ----

/// A tag by id (all digits) or by name (case and accents folded). Throws failure (4 when unknown).
asio::awaitable<tag> resolve_tag(session& s, const std::string& id_or_name);
/// A staff member's id, from an id or a name (current or former staff). Throws failure.
asio::awaitable<user_id> resolve_user(session& s, const std::string& id_or_name);
/// --since / --until: unix seconds, YYYY-MM-DD (its start, or its end when `end_of_day`), or
/// YYYY-MM-DDTHH:MM:SS[Z]. Throws a usage error.
std::int64_t parse_time(const std::string& text, bool end_of_day);
/// --type, --tag, --since, --until, --inserted as a walk filter (tags resolved).
asio::awaitable<workflow::walk_filter> read_filter(session& s);
/// True when any of the filter options was given.
bool has_filter(const session& s);
/// Throws the failure for `ec` (with the diagnostics when there are some).
[[noreturn]] void fail(const error_code& ec, const diagnostics* diag, const std::string& doing);

// Long jobs (jobs.cpp).
asio::awaitable<int> run_clear_tags(session& s);
// bulk_jobs.cpp
asio::awaitable<int> run_bulk_reassign(session& s);
asio::awaitable<int> run_follow_up(session& s);

} // namespace pancake::cli
