#include "options.hpp"

#include "exit_codes.hpp"

#include <boost/program_options/parsers.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <set>

namespace pancake::cli {

namespace {

void no_options(po::options_description&, po::positional_options_description&) {}

void conversation_arg(po::options_description& d, po::positional_options_description& p) {
    d.add_options()("conversation", po::value<std::string>()->required(), "conversation id");
    p.add("conversation", 1);
}

void filter_options(po::options_description& d) {
    d.add_options()("type", po::value<std::vector<std::string>>()->composing(),
                    "INBOX, COMMENT, COMMENT_LIVESTREAM or POST (repeatable with --all)")(
        "tag", po::value<std::vector<std::string>>()->composing(),
        "tag id or name (repeatable: conversations with all of them)")(
        "since", po::value<std::string>(), "updated at or after: unix seconds or an ISO date (UTC)")(
        "until", po::value<std::string>(), "updated at or before: unix seconds or an ISO date (a date: its end)")(
        "inserted", po::bool_switch(), "filter on creation time instead of last update");
}

void conversations_options(po::options_description& d, po::positional_options_description&) {
    filter_options(d);
    d.add_options()("all", po::bool_switch(),
                    "every matching conversation (walks past the listing's 60 cap), not just the newest 60")(
        "unread-first", po::bool_switch(), "unread conversations first (one listing call only)");
}

void tag_options(po::options_description& d, po::positional_options_description& p) {
    conversation_arg(d, p);
    d.add_options()("tag-name", po::value<std::string>()->required(), "tag id, or name (case and accents ignored)");
    p.add("tag-name", 1);
}

void assign_options(po::options_description& d, po::positional_options_description& p) {
    conversation_arg(d, p);
    d.add_options()("users", po::value<std::vector<std::string>>()->composing(),
                    "staff ids or names")("none", po::bool_switch(), "unassign everyone (instead of naming users)");
    p.add("users", -1);
}

void one_assignee_options(po::options_description& d, po::positional_options_description& p) {
    conversation_arg(d, p);
    d.add_options()("user", po::value<std::string>()->required(), "staff id or name");
    p.add("user", 1);
}

void round_robin_options(po::options_description& d, po::positional_options_description& p) {
    d.add_options()("action", po::value<std::string>()->required(),
                    "show | set")("inbox", po::value<std::vector<std::string>>()->multitoken()->zero_tokens(),
                                  "set: the inbox list (staff ids or names; no value: empty it)")(
        "comment", po::value<std::vector<std::string>>()->multitoken()->zero_tokens(),
        "set: the comment list (staff ids or names; no value: empty it)");
    p.add("action", 1);
}

void clear_tags_options(po::options_description& d, po::positional_options_description&) {
    filter_options(d);
    d.add_options()("any", po::bool_switch(), "no filter: every conversation of the page")(
        "dry-run", po::bool_switch(), "list what would be cleared, change nothing");
}

void bulk_reassign_options(po::options_description& d, po::positional_options_description&) {
    filter_options(d);
    d.add_options()("from", po::value<std::string>(), "whose conversations move (staff id or name)")(
        "to", po::value<std::vector<std::string>>()->multitoken()->composing(), "who takes them (staff ids or names)")(
        "strategy", po::value<std::string>()->default_value("round-robin"), "round-robin or least-loaded")(
        "checkpoint", po::value<std::string>(), "save the job (plan and progress) to FILE as it goes")(
        "resume", po::bool_switch(), "continue the job saved in --checkpoint FILE")(
        "concurrency", po::value<std::size_t>()->default_value(8), "calls in flight (the rate limit sets the pace)")(
        "dry-run", po::bool_switch(), "show the plan (and save it with --checkpoint), change nothing");
}

void follow_up_options(po::options_description& d, po::positional_options_description&) {
    filter_options(d);
    d.add_options()("older-than", po::value<double>()->required(), "hours since the conversation was read")(
        "concurrency", po::value<std::size_t>()->default_value(8), "calls in flight (the rate limit sets the pace)")(
        "dry-run", po::bool_switch(), "list the conversations, change nothing");
}

const std::vector<command_info> table = {
    {"tags", "tags", "list the page's tags", no_options},
    {"users", "users", "list the page's staff (current and former) and the round-robin lists", no_options},
    {"conversations", "conversations [--type T]... [--tag TAG]... [--since S] [--until U] [--all]",
     "list conversations, newest first (one call: at most 60; --all: every one)", conversations_options},
    {"tag", "tag CONV TAG", "add a tag (by id or name) to a conversation", tag_options},
    {"untag", "untag CONV TAG", "remove a tag (by id or name) from a conversation", tag_options},
    {"assign", "assign CONV USER... | assign CONV --none",
     "REPLACE the conversation's assignees with exactly these users (anyone else is unassigned)", assign_options},
    {"add-assignee", "add-assignee CONV USER", "add one assignee, keeping the others (read-merge-write)",
     one_assignee_options},
    {"remove-assignee", "remove-assignee CONV USER", "remove one assignee, keeping the others (read-merge-write)",
     one_assignee_options},
    {"read", "read CONV", "mark a conversation read", conversation_arg},
    {"unread", "unread CONV", "mark a conversation unread", conversation_arg},
    {"round-robin", "round-robin show | round-robin set [--inbox [USER...]] [--comment [USER...]]",
     "show or set the auto-assignment lists (a list not given is kept)", round_robin_options},
    {"clear-tags", "clear-tags (--type T | --tag TAG | --since S | --until U)... | clear-tags --any [--dry-run]",
     "remove every tag from each matching conversation (progress bar)", clear_tags_options},
    {"bulk-reassign",
     "bulk-reassign --from USER --to USER... [FILTER] [--checkpoint FILE [--resume]] [--strategy S] [--dry-run]",
     "move a staff member's conversations to others (plan, then assign; SIGINT saves the checkpoint)",
     bulk_reassign_options},
    {"follow-up", "follow-up --older-than HOURS [FILTER] [--dry-run]",
     "mark unread the conversations read more than HOURS ago and not answered (inbox by default)", follow_up_options},
};

po::options_description global_description(global_options& g) {
    po::options_description d("Global options");
    d.add_options()("page", po::value<std::string>(&g.page), "page id (default: $PANCAKE_PAGE_ID)")(
        "token-env", po::value<std::string>(&g.token_env)->default_value(g.token_env),
        "environment variable holding the page access token")(
        "base-url", po::value<std::string>(&g.base_url),
        "API base (default: $PANCAKE_BASE_URL, else https://pages.fm, TLS verified; the simulator: "
        "http://127.0.0.1:PORT)")("json", po::bool_switch(&g.json),
                                  "machine output: one JSON document on stdout, errors as JSON on stderr")(
        "timeout", po::value<double>(), "seconds per call, retries included (default: 30 per attempt)")(
        "quiet,q", po::bool_switch(&g.quiet), "no progress or remarks on stderr")("help,h", "this help");
    return d;
}

const command_info* find_command(const std::string& name) {
    for (auto& c : table)
        if (name == c.name) return &c;
    return nullptr;
}

void print_main_help() {
    global_options g;
    std::cout << "pancake: operator CLI for the Pancake (pages.fm) chat API\n\n"
                 "Usage: pancake [global options] <command> [options] [arguments]\n\nCommands:\n";
    for (auto& c : table)
        std::cout << "  " << c.synopsis << "\n      " << c.summary << "\n";
    std::cout << "\n" << global_description(g) << "\n";
    std::cout << "Environment:\n"
                 "  PANCAKE_PAGE_ACCESS_TOKEN  the page access token (never printed; see --token-env)\n"
                 "  PANCAKE_PAGE_ID            default for --page\n"
                 "  PANCAKE_BASE_URL           default for --base-url\n\n"
                 "TAG and USER take an id or a name (names compared ignoring case and accents).\n"
                 "Times (--since/--until) take unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (UTC).\n"
                 "`pancake <command> --help` shows a command's options.\n\n"
              << exit_code_help;
}

void print_command_help(const command_info& c) {
    global_options g;
    po::options_description d("Options");
    po::positional_options_description p;
    c.add_options(d, p);
    std::cout << "Usage: pancake " << c.synopsis << "\n\n" << c.summary << "\n\n";
    // The arguments (CONV, TAG, …) are in the synopsis: list the options only.
    std::set<std::string> positional;
    for (unsigned i = 0; i < std::min(p.max_total_count(), 8u); ++i)
        positional.insert(p.name_for_position(i));
    po::options_description shown("Options");
    for (auto& o : d.options())
        if (!positional.count(o->long_name())) shown.add(o);
    if (!shown.options().empty()) std::cout << shown << "\n";
    std::cout << global_description(g) << "\n" << exit_code_help;
}

bool takes_value(const std::string& arg) {
    return arg == "--page" || arg == "--token-env" || arg == "--base-url" || arg == "--timeout";
}

} // namespace

const std::vector<command_info>& commands() { return table; }

std::optional<invocation> parse_command_line(int argc, char** argv) {
    // The command is the first argument that is neither an option nor a global option's value.
    int at = 0;
    bool help = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--") break;
        if (a == "--help" || a == "-h") {
            help = true;
            continue;
        }
        if (a.starts_with("-")) {
            if (takes_value(a)) ++i;
            continue;
        }
        at = i;
        break;
    }
    if (at == 0) {
        if (help || argc == 1) {
            print_main_help();
            return std::nullopt;
        }
        throw usage_error("no command given (pancake --help lists them)");
    }
    std::string name = argv[at];
    if (name == "help") {
        const command_info* c = at + 1 < argc ? find_command(argv[at + 1]) : nullptr;
        if (c)
            print_command_help(*c);
        else
            print_main_help();
        return std::nullopt;
    }
    const command_info* cmd = find_command(name);
    if (!cmd) throw usage_error("unknown command '" + name + "' (pancake --help lists them)");

    invocation inv;
    inv.command = name;
    po::options_description all;
    po::options_description own("Options");
    po::positional_options_description pos;
    cmd->add_options(own, pos);
    all.add(global_description(inv.global)).add(own);
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i)
        if (i != at) args.emplace_back(argv[i]);
    try {
        po::store(po::command_line_parser(args).options(all).positional(pos).run(), inv.vm);
        if (inv.vm.count("help")) {
            print_command_help(*cmd);
            return std::nullopt;
        }
        po::notify(inv.vm);
    } catch (const po::error& e) {
        throw usage_error(std::string(e.what()) + " (pancake " + name + " --help)");
    }
    auto& g = inv.global;
    if (inv.vm.count("timeout")) {
        g.timeout = inv.vm["timeout"].as<double>();
        if (!(*g.timeout > 0)) throw usage_error("--timeout must be a positive number of seconds");
    }
    if (g.page.empty())
        if (const char* p = std::getenv("PANCAKE_PAGE_ID")) g.page = p;
    if (g.page.empty()) throw usage_error("no page: give --page ID or set PANCAKE_PAGE_ID");
    if (!inv.vm.count("base-url") || inv.vm["base-url"].defaulted())
        if (const char* b = std::getenv("PANCAKE_BASE_URL"); b && *b) g.base_url = b;
    if (!g.base_url.starts_with("http://") && !g.base_url.starts_with("https://"))
        throw usage_error("--base-url must start with http:// or https://");
    return inv;
}

} // namespace pancake::cli
