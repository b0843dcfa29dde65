// The auto-tag/assign bot (the seed article's §8): a webhook receiver on a port, an in-memory
// intake, the processor (duplicates, stale updates and echoes dropped; one conversation's events
// in order; failed events retried, then dead letters) and workflow::pipeline, configured from a
// JSON file (examples/bot.json), acting through the client against --base-url.
//
//   autotag_bot --base-url URL --config FILE --page ID [--listen PORT] [--address ADDR]
//               [--rate N] [--for-events N] [--idle-exit SECONDS]
//   autotag_bot --config FILE --explain < messages.json
//
// The page token comes from PANCAKE_PAGE_ACCESS_TOKEN (never printed). Point the page's webhook
// at the URL printed on stderr ("bot: listening on http://…/webhook"). Runs until SIGINT/SIGTERM,
// or until N events were received and handled (--for-events), or until nothing arrived and
// nothing was pending for SECONDS (--idle-exit); then prints a JSON report on stdout.
//
// --explain reads {"messages":[{"text":…, …}, …]} (what GET /__sim/traffic answers) or an array
// of strings on stdin and prints, for each message, the tags the configured rules give its text
// (the same folding the running bot uses), and per conversation the union of them.
#include <pancake/pancake.hpp>
#include <pancake/webhook/intake.hpp>
#include <pancake/webhook/processor.hpp>
#include <pancake/webhook/receiver.hpp>
#include <pancake/workflow/cursor_store.hpp>
#include <pancake/workflow/pipeline.hpp>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

namespace asio = boost::asio;
namespace json = boost::json;
using namespace pancake;

namespace {

struct options {
    std::string base_url, config, page, address = "127.0.0.1";
    unsigned short port = 0;
    double rate = 5;
    std::uint64_t for_events = 0;
    double idle_exit = 0;
    bool explain = false;
};

constexpr const char* usage =
    "usage: autotag_bot --base-url URL --config FILE --page ID [--listen PORT] [--address ADDR]\n"
    "                   [--rate N] [--for-events N] [--idle-exit SECONDS]\n"
    "       autotag_bot --config FILE --explain < messages.json\n"
    "The page token comes from PANCAKE_PAGE_ACCESS_TOKEN.\n";

[[noreturn]] void die(const std::string& why) {
    std::cerr << "autotag_bot: " << why << "\n" << usage;
    std::exit(2);
}

options parse_args(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) die(a + " needs a value");
            return argv[++i];
        };
        auto number = [&](const std::string& v) {
            try {
                std::size_t pos = 0;
                const double d = std::stod(v, &pos);
                if (pos != v.size() || d < 0) throw std::invalid_argument(v);
                return d;
            } catch (const std::exception&) {
                die(a + " expects a non-negative number, got '" + v + "'");
            }
        };
        if (a == "--base-url")
            o.base_url = next();
        else if (a == "--config")
            o.config = next();
        else if (a == "--page")
            o.page = next();
        else if (a == "--listen") {
            const auto p = number(next());
            if (p > 65535) die("--listen: not a port");
            o.port = static_cast<unsigned short>(p);
        } else if (a == "--address")
            o.address = next();
        else if (a == "--rate")
            o.rate = number(next());
        else if (a == "--for-events")
            o.for_events = static_cast<std::uint64_t>(number(next()));
        else if (a == "--idle-exit")
            o.idle_exit = number(next());
        else if (a == "--explain")
            o.explain = true;
        else if (a == "--help" || a == "-h") {
            std::cout << usage;
            std::exit(0);
        } else
            die("unknown option " + a);
    }
    if (o.config.empty()) die("--config is required");
    if (!o.explain && (o.base_url.empty() || o.page.empty())) die("--base-url and --page are required");
    if (o.rate <= 0 && !o.explain) die("--rate must be above 0");
    return o;
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) die("cannot read " + path);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// --explain: what the rules make of each text, and of each conversation (the union).
int explain(const workflow::pipeline_config& cfg) {
    std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    boost::system::error_code ec;
    auto v = json::parse(input, ec);
    if (ec) die("--explain: stdin is not JSON (" + ec.message() + ")");
    const json::array* items = v.if_array();
    if (auto* o = v.if_object())
        if (auto* m = o->if_contains("messages")) items = m->if_array();
    if (!items) die("--explain: expected {\"messages\":[…]} or an array of strings");
    json::array out;
    std::map<std::string, std::set<std::string>> by_conversation;
    for (auto& item : *items) {
        json::object e;
        std::string text;
        if (auto* s = item.if_string()) {
            text = *s;
        } else if (auto* o = item.if_object()) {
            e = *o;
            if (auto* t = o->if_contains("text"); t && t->is_string()) text = t->as_string();
        }
        json::array tags;
        auto names = cfg.rules.tags_for(text);
        for (auto& n : names)
            tags.push_back(json::string(n));
        if (auto* c = e.if_contains("conversation_id"); c && c->is_string()) {
            auto& set = by_conversation[std::string(c->as_string())];
            set.insert(names.begin(), names.end());
        }
        e["text"] = text;
        e["tags"] = std::move(tags);
        out.push_back(std::move(e));
    }
    json::object conversations;
    for (auto& [id, set] : by_conversation) {
        json::array a;
        for (auto& n : set)
            a.push_back(json::string(n));
        conversations[id] = std::move(a);
    }
    std::cout << json::serialize(
                     json::object{{"messages", std::move(out)}, {"conversations", std::move(conversations)}})
              << "\n";
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const auto opt = parse_args(argc, argv);
    auto parsed = workflow::pipeline_config::parse(read_file(opt.config));
    if (!parsed) {
        std::cerr << "autotag_bot: " << opt.config << ": " << parsed.error().message << "\n";
        return 2;
    }
    if (opt.explain) return explain(*parsed);

    const char* token = std::getenv("PANCAKE_PAGE_ACCESS_TOKEN");
    if (!token || !*token) die("set PANCAKE_PAGE_ACCESS_TOKEN");

    asio::io_context ioc;
    client_config cc;
    cc.base_url = opt.base_url;
    cc.rate_limit.per_second = opt.rate;
    client api(ioc.get_executor(), cc);
    const page_id page(opt.page);
    api.add_page(page, token);

    // What the pipeline did, counted for the report (failed attempts are retried: only
    // successes count here).
    std::map<std::string, std::uint64_t> by_tag, by_staff;
    std::uint64_t unknown_tags = 0;
    workflow::memory_cursor_store cursors;
    workflow::pipeline pipe(api, std::move(*parsed), cursors, [&](const workflow::pipeline_action& a) {
        if (a.what == "unknown_tag") ++unknown_tags;
        if (a.ec) return;
        if (a.what == "tag") ++by_tag[a.detail];
        if (a.what == "assign") ++by_staff[a.detail];
    });

    webhook::memory_intake intake(ioc.get_executor(), 100'000);
    webhook::processor proc(ioc.get_executor(), intake, pipe.handler());
    webhook::receiver_options ro;
    ro.address = opt.address;
    ro.port = opt.port;
    webhook::receiver receiver(ioc.get_executor(), intake, ro);
    try {
        receiver.start();
    } catch (const std::exception& e) {
        std::cerr << "autotag_bot: cannot listen on " << opt.address << ":" << opt.port << ": " << e.what() << "\n";
        return 1;
    }
    proc.start();
    std::cerr << "bot: listening on " << receiver.url() << std::endl;

    auto report = [&] {
        const auto& ps = proc.stats();
        const auto& pl = pipe.stats();
        const auto cs = api.stats();
        json::object tags_by_rule, tags_by_tag, assignments;
        for (auto& r : pipe.config().rules.rules()) {
            auto it = by_tag.find(r.tag);
            if (!tags_by_rule.contains(r.name)) tags_by_rule[r.name] = it == by_tag.end() ? 0 : it->second;
        }
        for (auto& [k, n] : by_tag)
            tags_by_tag[k] = n;
        for (auto& [k, n] : by_staff)
            assignments[k] = n;
        json::array dead;
        for (auto& e : proc.dead_letters()) {
            json::object d{{"dedupe_key", e.dedupe_key}, {"conversation_id", e.serial_key}};
            dead.push_back(std::move(d));
        }
        json::object r{{"events",
                        {{"received", receiver.stats().accepted},
                         {"handled", ps.handled},
                         {"duplicates_suppressed", ps.duplicates},
                         {"stale", ps.stale},
                         {"echoes", ps.echoes},
                         {"handler_retries", ps.retries},
                         {"dead_letters", ps.dead_letters},
                         {"unparseable", ps.unparseable}}},
                       {"pipeline",
                        {{"messages", pl.messages},
                         {"tagged", pl.tagged},
                         {"assigned", pl.assigned},
                         {"read", pl.read},
                         {"failures", pl.failures},
                         {"stale_unassigned", pl.stale_unassigned},
                         {"unknown_tags", unknown_tags},
                         {"tags_by_rule", std::move(tags_by_rule)},
                         {"tags_by_tag", std::move(tags_by_tag)},
                         {"assignments", std::move(assignments)}}},
                       {"client", {{"retries", cs.retries}, {"rate_limited", cs.rate_limited}}},
                       {"dead_letters", std::move(dead)}};
        std::cout << json::serialize(r) << std::endl;
    };

    // Stop on a signal, after --for-events events, or after --idle-exit seconds of quiet; then
    // finish what was acknowledged, report, and end.
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    bool signalled = false;
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (!ec) signalled = true;
    });
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer tick(ioc);
            auto last_activity = std::chrono::steady_clock::now();
            std::uint64_t last_received = 0;
            for (;;) {
                tick.expires_after(std::chrono::milliseconds(100));
                co_await tick.async_wait(asio::use_awaitable);
                const auto now = std::chrono::steady_clock::now();
                const auto received = receiver.stats().accepted;
                const bool busy = proc.in_progress() > 0 || intake.pending() > 0;
                if (received != last_received || busy) last_activity = now;
                last_received = received;
                if (signalled) break;
                if (opt.for_events && received >= opt.for_events && !busy) break;
                if (opt.idle_exit > 0 && std::chrono::duration<double>(now - last_activity).count() >= opt.idle_exit)
                    break;
            }
            receiver.stop();
            co_await proc.async_stop(asio::use_awaitable);
            report();
            signals.cancel();
            ioc.stop();
        },
        [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
    ioc.run();
    return 0;
}
