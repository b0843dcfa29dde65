// Client throughput and CPU per request against pancake-sim over loopback (rate limits off on
// both sides): pancake::client::async_add_tag next to a minimal hand-written Beast coroutine
// client sending the same request (same headers and body, JSON answer parsed and checked) on
// the same simulator, in the same run. The simulator runs on its own thread; the client's CPU
// is its thread's CPU time. Concurrency 1, 16 and 64 operations (as many connections); rounds
// interleave the two clients and the median round counts. Prints JSON lines, then one line per
// concurrency with the ratios against the raw client (issue 8 targets at 16: requests/s >= 0.95x,
// CPU per request <= 1.15x).
//
//   bench_client [requests=20000] [rounds=3]
//
// With BENCH_NODE_SCRIPT=benchmarks/node/seed_clients.mjs it also runs, against the same
// simulator and at each concurrency, the seed article's Node `fetch` call and (with UNDICI_DIR
// set to a folder holding node_modules/undici) undici's request(), a quarter of the requests
// each, and prints how many times more CPU per request they spend than pancake::client (issue 13
// targets: >= 20x fetch, >= 5x undici). Node's CPU is its whole process's (user + system).
#include <pancake/pancake.hpp>
#include <sim/server.hpp>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <pthread.h>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

namespace {

const std::string page = "100000000000001";
const std::string token = "pat_hoamai_7f3c2a91e4b84d0c";
const std::string conv = "100000000000001_200000000000001";
constexpr auto tuple = asio::as_tuple(asio::use_awaitable);

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// User-space CPU only: the library's own work, without the kernel's share (syscalls, and the
// scheduling overhead that a loaded machine adds to both clients alike).
double thread_user_seconds() {
    rusage ru{};
    getrusage(RUSAGE_THREAD, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) * 1e-6;
}

struct result {
    std::string client;
    std::size_t concurrency = 0, ok = 0, failed = 0;
    double rps = 0, p50 = 0, p99 = 0, cpu_us = 0, user_us = 0;
};

// Runs `op` (one request; true on success) from `concurrency` coroutines until n are done.
template <class Op>
result measure(std::string name, std::size_t concurrency, std::size_t n, asio::io_context& ioc, Op op) {
    result r;
    r.client = std::move(name);
    r.concurrency = concurrency;
    std::vector<double> lat;
    lat.reserve(n);
    std::size_t next = 0;
    const auto cpu0 = thread_cpu_seconds();
    const auto user0 = thread_user_seconds();
    const auto t0 = steady::now();
    for (std::size_t c = 0; c < concurrency; ++c)
        asio::co_spawn(
            ioc,
            [&, c]() -> asio::awaitable<void> {
                while (next < n) {
                    ++next;
                    const auto s = steady::now();
                    const bool ok = co_await op(c);
                    if (!ok) {
                        ++r.failed;
                        continue;
                    }
                    ++r.ok;
                    lat.push_back(std::chrono::duration<double, std::micro>(steady::now() - s).count());
                }
            },
            asio::detached);
    ioc.run();
    ioc.restart();
    const double secs = std::chrono::duration<double>(steady::now() - t0).count();
    r.cpu_us = (thread_cpu_seconds() - cpu0) * 1e6 / static_cast<double>(std::max<std::size_t>(1, r.ok));
    r.user_us = (thread_user_seconds() - user0) * 1e6 / static_cast<double>(std::max<std::size_t>(1, r.ok));
    r.rps = static_cast<double>(r.ok) / secs;
    std::sort(lat.begin(), lat.end());
    if (!lat.empty()) {
        r.p50 = lat[lat.size() / 2];
        r.p99 = lat[std::min(lat.size() - 1, lat.size() * 99 / 100)];
    }
    return r;
}

result run_pancake(unsigned short port, std::size_t concurrency, std::size_t n) {
    asio::io_context ioc;
    pancake::client_config cfg;
    cfg.base_url = "http://127.0.0.1:" + std::to_string(port);
    cfg.rate_limit.per_second = 1e9; // the simulator's limit is off too: measure the client
    cfg.rate_limit.burst = 1 << 20;
    cfg.pool.max_connections = concurrency;
    cfg.pool.max_idle = concurrency;
    cfg.jitter_seed = 1;
    pancake::client api(ioc.get_executor(), cfg);
    api.add_page(pancake::page_id(page), token);
    const pancake::page_id p(page);
    const pancake::conversation_id c(conv);
    return measure("pancake", concurrency, n, ioc, [&](std::size_t) -> asio::awaitable<bool> {
        auto [ec, res] = co_await api.async_add_tag(p, c, pancake::tag_id(1), asio::as_tuple(asio::deferred));
        co_return !ec;
    });
}

// The baseline: what a careful hand-written client does per request, nothing more.
result run_raw(unsigned short port, std::size_t concurrency, std::size_t n) {
    asio::io_context ioc;
    struct conn {
        std::optional<beast::tcp_stream> s;
        beast::flat_buffer buf;
    };
    std::vector<conn> conns(concurrency);
    const std::string target =
        "/api/public_api/v1/pages/" + page + "/conversations/" + conv + "/tags?page_access_token=" + token;
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    return measure("raw_beast", concurrency, n, ioc, [&](std::size_t i) -> asio::awaitable<bool> {
        auto& k = conns[i];
        if (!k.s) {
            k.s.emplace(co_await asio::this_coro::executor);
            auto [cec] = co_await k.s->async_connect(ep, tuple);
            if (cec) {
                k.s.reset();
                co_return false;
            }
        }
        bhttp::request<bhttp::string_body> rq{bhttp::verb::post, target, 11};
        rq.set(bhttp::field::host, "127.0.0.1");
        rq.set(bhttp::field::user_agent, "raw-beast");
        rq.set(bhttp::field::accept, "application/json");
        rq.set(bhttp::field::content_type, "application/json");
        rq.body() = R"({"action":"add","tag_id":"1"})";
        rq.keep_alive(true);
        rq.prepare_payload();
        k.s->expires_after(std::chrono::seconds(30));
        auto [wec, wn] = co_await bhttp::async_write(*k.s, rq, tuple);
        bhttp::response<bhttp::string_body> res;
        boost::system::error_code rec;
        if (!wec) std::tie(rec, std::ignore) = co_await bhttp::async_read(*k.s, k.buf, res, tuple);
        if (wec || rec) {
            k.s.reset();
            co_return false;
        }
        boost::system::error_code jec;
        auto v = json::parse(res.body(), jec);
        auto* o = v.if_object();
        auto* ok = o ? o->if_contains("success") : nullptr;
        const bool good = res.result_int() == 200 && ok && ok->is_bool() && ok->as_bool();
        if (!good && std::getenv("BENCH_DEBUG")) std::fprintf(stderr, "%u %s\n", res.result_int(), res.body().c_str());
        co_return good;
    });
}

void print(const result& r) {
    std::printf(
        "{\"bench\":\"client_throughput\",\"client\":\"%s\",\"concurrency\":%zu,\"ok\":%zu,\"failed\":%zu,"
        "\"req_per_s\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"cpu_us_per_req\":%.2f,\"user_cpu_us_per_req\":%.2f}\n",
        r.client.c_str(), r.concurrency, r.ok, r.failed, r.rps, r.p50, r.p99, r.cpu_us, r.user_us);
}

} // namespace

// Runs the Node client (seed_clients.mjs) and returns its JSON line's cpu_us_per_req (0: failed).
double run_node(const std::string& script, const char* client, unsigned short port, std::size_t concurrency,
                std::size_t n) {
    const std::string cmd = "node '" + script + "' http://127.0.0.1:" + std::to_string(port) + " " + client + " " +
                            std::to_string(n) + " " + std::to_string(concurrency);
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return 0;
    std::string out;
    char buf[512];
    while (std::fgets(buf, sizeof buf, p))
        out += buf;
    if (pclose(p) != 0) return 0;
    std::fputs(out.c_str(), stdout);
    const auto at = out.find("\"cpu_us_per_req\":");
    return at == std::string::npos ? 0 : std::strtod(out.c_str() + at + 17, nullptr);
}

// Also against the raw Beast client: the floor, what any Asio client could reach in this run.
void compare_node(const std::string& script, unsigned short port, std::size_t concurrency, std::size_t n,
                  const result& pancake, const result& raw) {
    const double fetch = run_node(script, "fetch", port, concurrency, n);
    const double undici = std::getenv("UNDICI_DIR") ? run_node(script, "undici", port, concurrency, n) : 0;
    std::printf("{\"bench\":\"seed_stack\",\"concurrency\":%zu,\"node_fetch_cpu_vs_pancake\":%.2f,"
                "\"node_undici_cpu_vs_pancake\":%.2f,\"node_fetch_cpu_vs_raw_beast\":%.2f,"
                "\"node_undici_cpu_vs_raw_beast\":%.2f,\"target_fetch_20x\":%s,\"target_undici_5x\":%s}\n",
                concurrency, fetch / pancake.cpu_us, undici / pancake.cpu_us, fetch / raw.cpu_us, undici / raw.cpu_us,
                fetch / pancake.cpu_us >= 20 ? "true" : "false", undici / pancake.cpu_us >= 5 ? "true" : "false");
    std::fflush(stdout);
}

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::stoul(argv[1]) : 20000;
    const std::size_t rounds = argc > 2 ? std::stoul(argv[2]) : 3;

    asio::io_context sim_ioc;
    pancake::sim::server_options so;
    so.max_journal = 1000;
    pancake::sim::server sim(sim_ioc.get_executor(), pancake::real_clock::instance(), so);
    sim.model().rate_limits().per_second = 0;
    sim.start();
    const auto port = sim.port();
    std::thread sim_thread([&] {
        pthread_setname_np(pthread_self(), "sim"); // so `perf report --comm bench_client` is the clients
        auto guard = asio::make_work_guard(sim_ioc);
        sim_ioc.run();
    });

    std::printf("{\"bench\":\"client_throughput\",\"requests\":%zu,\"rounds\":%zu}\n", n, rounds);
    // BENCH_CONCURRENCY=N runs that level only (for perf).
    std::vector<std::size_t> levels{1, 16, 64};
    if (const char* c = std::getenv("BENCH_CONCURRENCY")) levels = {std::stoul(c)};
    for (std::size_t concurrency : levels) {
        std::map<std::string, std::vector<result>> all;
        // BENCH_ONLY=pancake|raw_beast runs one client (for perf); the ratios need both.
        const char* only = std::getenv("BENCH_ONLY");
        for (std::size_t r = 0; r < rounds; ++r) {
            if (!only || std::string(only) == "raw_beast") all["raw_beast"].push_back(run_raw(port, concurrency, n));
            if (!only || std::string(only) == "pancake") all["pancake"].push_back(run_pancake(port, concurrency, n));
        }
        if (only) {
            for (auto& [name, xs] : all)
                print(xs[xs.size() / 2]);
            continue;
        }
        std::map<std::string, result> med;
        // Each figure is its own median over the rounds: one round slowed by the machine moves
        // none of them (the round with the median rate may not have the median CPU).
        for (auto& [name, xs] : all) {
            auto median = [&xs](double result::*f) {
                std::vector<double> v;
                for (auto& x : xs)
                    v.push_back(x.*f);
                std::sort(v.begin(), v.end());
                return v[v.size() / 2];
            };
            std::sort(xs.begin(), xs.end(), [](auto& a, auto& b) { return a.rps < b.rps; });
            result m = xs[xs.size() / 2];
            m.cpu_us = median(&result::cpu_us);
            m.user_us = median(&result::user_us);
            m.p50 = median(&result::p50);
            m.p99 = median(&result::p99);
            med[name] = m;
            print(m);
        }
        const double rps_ratio = med["pancake"].rps / med["raw_beast"].rps;
        const double cpu_ratio = med["pancake"].cpu_us / med["raw_beast"].cpu_us;
        const double user_ratio = med["pancake"].user_us / med["raw_beast"].user_us;
        std::printf("{\"bench\":\"client_throughput\",\"concurrency\":%zu,\"rps_vs_raw\":%.3f,\"cpu_vs_raw\":%.3f,"
                    "\"user_cpu_vs_raw\":%.3f,\"target_rps_0_95x\":%s,"
                    "\"target_cpu_1_15x\":%s}\n",
                    concurrency, rps_ratio, cpu_ratio, user_ratio, rps_ratio >= 0.95 ? "true" : "false",
                    cpu_ratio <= 1.15 ? "true" : "false");
        std::fflush(stdout);
        if (const char* script = std::getenv("BENCH_NODE_SCRIPT"))
            compare_node(script, port, concurrency, std::max<std::size_t>(200, n / 4), med["pancake"],
                         med["raw_beast"]);
    }
    asio::post(sim_ioc, [&] {
        sim.stop();
        sim_ioc.stop();
    });
    sim_thread.join();
    return 0;
}
