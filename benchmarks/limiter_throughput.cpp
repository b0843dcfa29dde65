// Throughput under the server's 5 req/s per-page limit, client + simulator over in-memory
// streams on virtual time, driven by sim::run_virtual (deterministic, no sockets). Compares our
// limiter with the in-run baselines that existing clients use: a serial 220 ms throttle (the
// best public JS client) and no throttle at all (retry on 429). Prints one JSON object per
// policy, plus ratios against the 220 ms baseline.
//
//   bench_limiter [N=300]
#include <pancake/http/connection.hpp>
#include <pancake/pancake.hpp>
#include <pancake/testing/memory_stream.hpp>
#include <sim/server.hpp>
#include <sim/virtual_time.hpp>

#include <boost/asio.hpp>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>

namespace asio = boost::asio;
using namespace pancake;
using namespace std::chrono_literals;

namespace {

struct result {
    std::string policy;
    double rate = 0; // successful requests per virtual second
    std::size_t ok = 0, failed = 0, sent = 0, rejected_429 = 0;
    double attempts_per_success = 0;
};

result run(const std::string& name, std::size_t n, std::function<void(client_config&)> tweak, bool serial) {
    virtual_clock clk; // outlives the io_context, whose shutdown ends the sessions
    asio::io_context ioc;
    sim::server srv(ioc.get_executor(), clk);
    client_config cfg;
    cfg.base_url = "http://sim.invalid"; // never resolved: connections come from the transport
    cfg.transport = [&srv](asio::any_io_executor) -> std::unique_ptr<http::connection> {
        return std::make_unique<http::stream_connection<testing::memory_stream>>(srv.connect_in_memory());
    };
    cfg.clock = &clk;
    cfg.jitter_seed = 1;
    tweak(cfg);
    client api(ioc.get_executor(), cfg);
    const page_id page("100000000000001");
    api.add_page(page, "pat_hoamai_7f3c2a91e4b84d0c");

    result r;
    r.policy = name;
    std::size_t done = 0;
    const auto t0 = clk.now();
    auto last = t0;
    std::function<void(std::size_t)> issue = [&](std::size_t i) {
        api.async_list_tags(page, [&, i](error_code ec, auto) {
            ++done;
            (ec ? r.failed : r.ok)++;
            last = clk.now();
            if (serial && i + 1 < n) {
                // The serial baseline: wait 220 ms after each answer, like S13's PancakeClient.
                clk.async_wait_for(ioc.get_executor(), 220ms, [&, i](error_code) { issue(i + 1); });
            }
        });
    };
    if (serial)
        issue(0);
    else
        for (std::size_t i = 0; i < n; ++i)
            issue(i);
    const auto rep = sim::run_virtual(ioc, clk, [&] { return done == n; });
    if (rep.status != sim::run_status::done) {
        std::fprintf(stderr, "bench_limiter: %s: the virtual run %s after %zu of %zu answers\n", name.c_str(),
                     rep.status == sim::run_status::deadlock ? "deadlocked" : "hit its step limit", done, n);
        std::exit(2);
    }
    const double secs = std::chrono::duration<double>(last - t0).count();
    r.rate = secs > 0 ? double(r.ok - 1) / secs : 0;
    for (auto& e : srv.journal()) {
        ++r.sent;
        r.rejected_429 += e.status == 429;
    }
    r.attempts_per_success = r.ok ? double(r.sent) / double(r.ok) : 0;
    srv.stop();
    // Let the sessions see their end and the clock's last waiters fire: none outlives the context.
    sim::run_virtual(
        ioc, clk, [] { return false; }, 1'000'000);
    return r;
}

void print(const result& r, double baseline_rate) {
    std::printf("{\"bench\":\"limiter_throughput\",\"policy\":\"%s\",\"ok\":%zu,\"failed\":%zu,\"sent\":%zu,"
                "\"http_429\":%zu,\"rate_per_s\":%.4f,\"attempts_per_success\":%.4f,\"rate_vs_serial_220ms\":%.4f}\n",
                r.policy.c_str(), r.ok, r.failed, r.sent, r.rejected_429, r.rate, r.attempts_per_success,
                baseline_rate > 0 ? r.rate / baseline_rate : 0);
}

} // namespace

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::stoul(argv[1]) : 300;
    auto serial = run(
        "serial_220ms_baseline", n, [](client_config& c) { c.rate_limit.per_second = 1e6; }, true);
    auto gcra = run(
        "pancake_gcra_default", n, [](client_config&) {}, false);
    auto none = run(
        "no_throttle_retry_on_429", n,
        [](client_config& c) {
            c.rate_limit.per_second = 1e6;
            c.rate_limit.max_queue = 1 << 20;
            c.retry.max_attempts = 50;
            c.retry.total_deadline = std::chrono::hours(1);
        },
        false);
    for (auto* r : {&serial, &gcra, &none})
        print(*r, serial.rate);
    return gcra.rejected_429 == 0 ? 0 : 1;
}
