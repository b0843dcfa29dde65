// pancake-sim: the fake Pancake server as a program.
#include "sim/json_file.hpp"
#include "sim/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/parse.hpp>

#include <cstdlib>
#include <iostream>

namespace {
constexpr const char* usage = R"(pancake-sim: a stateful fake of the Pancake (pages.fm) public API

Usage: pancake-sim [options]
  --host ADDR        address to listen on (default 127.0.0.1)
  --port N           port (default 0: pick a free one; the chosen one is printed)
  --fixture FILE     JSON fixture: pages, tokens, tags, users, conversations
                     (default: the built-in Vietnamese shop, simulator/fixtures/shop.json)
  --seed N           seed for every random choice (faults, ids); default 1
  --rate-limit R     calls per page per second (default 5; 0 disables)
  --faults FILE      fault plan JSON ({"rules":[...]}, see simulator/README.md)
  --retry-after      send Retry-After: 1 on 429 (off by default, as on pages.fm)
  --max-body BYTES   request body cap (default 1048576)
  --max-connections N  open connections at most (default 512); at the cap an idle
                     keep-alive connection is closed to make room, else 503
  --idle-timeout S   seconds to receive a request / wait between requests (default 30)
  --write-timeout S  seconds to write one answer to the client (default 30)
  --max-journal N    journal entries kept, oldest dropped first (default 20000)
  --max-journal-bytes B  and their approximate bytes (default 33554432)
  --max-events N     webhook events kept, oldest dropped first (default 20000)
  --max-events-bytes B   and their serialized bytes (default 33554432)
  --admin-token T    require header X-Sim-Admin-Token: T on every /__sim/ request
                     (else 401); also read from PANCAKE_SIM_ADMIN_TOKEN
  --state FILE       keep the model's state across restarts: loaded at start if the
                     file exists, written on SIGINT/SIGTERM and on POST /__sim/snapshot
                     (without it all state lives in memory and is lost on exit)
  --webhook-url URL  deliver every page's webhook events to URL (http://), with
                     retries; per page: POST /__sim/webhooks/pages/{id} {"url":…}
  --webhooks JSON    delivery options, e.g. '{"max_attempts":5,"timeout_ms":5000,
                     "duplicate_rate":0.1,"reorder_rate":0.1}' (see simulator/README.md)
  --help             this text

Once ready it prints "listening on http://HOST:PORT". Point a client at
http://HOST:PORT/api/public_api/v1 exactly as at https://pages.fm/api/public_api/v1.
Admin API under /__sim/ (health, reset, fixture, faults, rate_limit, behaviour,
journal, events, snapshot, traffic, pages/{id}/messages, pages/{id}/users/{uid},
pages/{id}/conversations/{cid}). It listens on loopback by default: anyone who can reach the
port can drive the admin API, so set --admin-token before using --host with another address.
Stops cleanly on SIGINT/SIGTERM.
)";

} // namespace

int main(int argc, char** argv) {
    pancake::sim::server_options opts;
    std::string fixture, faults;
    int rate = 5;
    bool retry_after = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "pancake-sim: " << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        auto number = [&](const std::string& v) -> unsigned long long {
            try {
                std::size_t pos = 0;
                auto n = std::stoull(v, &pos);
                if (pos != v.size()) throw std::invalid_argument(v);
                return n;
            } catch (const std::exception&) {
                std::cerr << "pancake-sim: " << a << " expects a number, got '" << v << "'\n";
                std::exit(2);
            }
        };
        if (a == "--help" || a == "-h") {
            std::cout << usage;
            return 0;
        } else if (a == "--host")
            opts.host = next();
        else if (a == "--port")
            opts.port = static_cast<unsigned short>(number(next()));
        else if (a == "--fixture")
            fixture = next();
        else if (a == "--seed")
            opts.seed = number(next());
        else if (a == "--rate-limit")
            rate = static_cast<int>(number(next()));
        else if (a == "--faults")
            faults = next();
        else if (a == "--retry-after")
            retry_after = true;
        else if (a == "--max-body")
            opts.max_body = number(next());
        else if (a == "--max-connections")
            opts.max_connections = number(next());
        else if (a == "--idle-timeout")
            opts.idle_timeout = std::chrono::seconds(number(next()));
        else if (a == "--write-timeout")
            opts.write_timeout = std::chrono::seconds(number(next()));
        else if (a == "--max-journal")
            opts.max_journal = number(next());
        else if (a == "--max-journal-bytes")
            opts.max_journal_bytes = number(next());
        else if (a == "--max-events")
            opts.max_events = number(next());
        else if (a == "--max-events-bytes")
            opts.max_events_bytes = number(next());
        else if (a == "--admin-token")
            opts.admin_token = next();
        else if (a == "--state")
            opts.state_file = next();
        else if (a == "--webhook-url")
            opts.webhook_url = next();
        else if (a == "--webhooks") {
            boost::system::error_code jec;
            auto v = boost::json::parse(next(), jec);
            std::string werr = "not JSON";
            if (jec || !pancake::sim::parse_webhook_options(v, opts.webhooks, werr)) {
                std::cerr << "pancake-sim: --webhooks: " << werr << "\n";
                return 2;
            }
        } else {
            std::cerr << "pancake-sim: unknown option " << a << "\n" << usage;
            return 2;
        }
    }
    if (opts.admin_token.empty())
        if (const char* t = std::getenv("PANCAKE_SIM_ADMIN_TOKEN")) opts.admin_token = t;
    if (opts.max_connections == 0) {
        std::cerr << "pancake-sim: --max-connections must be at least 1\n";
        return 2;
    }
    try {
        boost::asio::io_context ioc{1}; // one thread runs it: the scheduler may skip its cross-thread work
        pancake::sim::server srv(ioc.get_executor(), pancake::real_clock::instance(), opts);
        std::string err;
        if (!fixture.empty() && !srv.load_fixture_file(fixture, err)) {
            std::cerr << "pancake-sim: fixture: " << err << "\n";
            return 2;
        }
        if (!faults.empty()) {
            boost::json::value plan;
            if (!pancake::sim::read_json_file(faults, plan, err) || !srv.faults().set_plan(plan, err)) {
                std::cerr << "pancake-sim: faults: " << err << "\n";
                return 2;
            }
        }
        if (!srv.read_snapshot(err)) { // a saved state wins over --fixture
            std::cerr << "pancake-sim: state: " << err << "\n";
            return 2;
        }
        srv.model().rate_limits().per_second = rate;
        srv.model().rate_limits().retry_after = retry_after;
        srv.start();
        const auto bound = boost::asio::ip::make_address(opts.host);
        if (!bound.is_loopback() && opts.admin_token.empty())
            std::cerr << "pancake-sim: warning: listening on " << opts.host
                      << " without --admin-token: anyone who reaches the port can drive /__sim/\n";
        boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
        int status = 0;
        signals.async_wait([&](auto, int) {
            srv.stop();
            std::string serr;
            if (!opts.state_file.empty() && !srv.write_snapshot(serr)) {
                std::cerr << "pancake-sim: state: " << serr << "\n";
                status = 1;
            }
            ioc.stop();
        });
        std::cout << "listening on " << srv.base_url() << std::endl;
        ioc.run();
        std::cerr << "pancake-sim: stopped; " << srv.webhooks().summary() << "\n";
        return status;
    } catch (const std::exception& e) {
        std::cerr << "pancake-sim: " << e.what() << "\n";
        return 1;
    }
}
