// How much of the server's request budget a workflow job uses (issue 13, item 4a): N workflow
// operations per page (mark read / mark unread, alternating, over the page's conversations) run
// through workflow::async_run_bulk, against the simulator in memory on virtual time, every
// answer 100 ms late (a latency fault on every route), the server's limit 5 calls per page per
// second. On one page, then on many at once. The figure is the completion time over the ideal
// (N / 5 s per page, pages in parallel) and the count of 429s; the client's limiter keeps 2 % of
// the budget spare, so 1.02 is the floor.
//
//   bench_rate_budget [OPS_PER_PAGE=10000] [PAGES=50] [OPS_PER_PAGE_MANY=10000]
//   bench_rate_budget --real BASE_URL [N=100]   (item 4b: real time against pancake-sim --rate-limit 5)
// Prints one JSON object per scenario; exits 1 if any 429 came back.
#include <pancake/http/connection.hpp>
#include <pancake/pancake.hpp>
#include <pancake/testing/memory_stream.hpp>
#include <pancake/workflow/bulk.hpp>
#include <sim/server.hpp>
#include <sim/virtual_time.hpp>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace wf = pancake::workflow;
using namespace pancake;

namespace {

struct result {
    std::string scenario;
    std::size_t pages = 0, ops_per_page = 0, done = 0, failed = 0, http_429 = 0;
    double seconds = 0, ideal = 0, wall = 0;
};

// The sample shop's first page, copied `pages` times under new ids and tokens.
boost::json::value fixture(std::size_t pages) {
    auto fx = sim::sample_fixture();
    auto& list = fx.as_object().at("pages").as_array();
    const auto first = list.at(0).as_object();
    list.clear();
    for (std::size_t p = 0; p < pages; ++p) {
        auto page = first;
        const std::string id = std::to_string(100000000000001ull + p * 1000);
        page["id"] = id;
        page["page_access_token"] = "pat_bench_" + std::to_string(p);
        page["chat_plugin_id"] = "web_" + id;
        list.push_back(std::move(page));
    }
    return fx;
}

result run(const std::string& scenario, std::size_t pages, std::size_t ops_per_page) {
    const auto wall0 = std::chrono::steady_clock::now();
    virtual_clock clk; // outlives the io_context, whose shutdown ends the sessions
    asio::io_context ioc;
    sim::server_options so;
    so.max_journal = pages == 1 ? ops_per_page + 16 : 8; // one page: kept for the per-second series
    sim::server srv(ioc.get_executor(), clk, so);
    std::string err;
    const auto fx = fixture(pages);
    if (!srv.load_fixture(fx, err) ||
        !srv.faults().set_plan(
            boost::json::parse(R"({"rules":[{"route":"*","kind":"latency","latency":{"dist":"fixed","ms":100}}]})"),
            err)) {
        std::fprintf(stderr, "bench_rate_budget: %s\n", err.c_str());
        std::exit(2);
    }
    client_config cfg;
    cfg.base_url = "http://sim.invalid"; // never resolved: connections come from the transport
    cfg.transport = [&srv](asio::any_io_executor) -> std::unique_ptr<http::connection> {
        return std::make_unique<http::stream_connection<testing::memory_stream>>(srv.connect_in_memory());
    };
    cfg.clock = &clk;
    cfg.jitter_seed = 1;
    cfg.pool.max_connections = 0; // one host, many pages: the pool must not be what limits
    client api(ioc.get_executor(), cfg);

    struct job {
        page_id page;
        std::vector<wf::bulk_item> items;
        wf::bulk_progress progress;
        bool done = false;
    };
    std::vector<job> jobs(pages);
    const auto& pages_json = fx.as_object().at("pages").as_array();
    for (std::size_t p = 0; p < pages; ++p) {
        const auto& pj = pages_json.at(p).as_object();
        jobs[p].page = page_id(std::string(pj.at("id").as_string()));
        api.add_page(jobs[p].page, std::string(pj.at("page_access_token").as_string()));
        const auto& convs = pj.at("conversations").as_array();
        for (std::size_t i = 0; i < ops_per_page; ++i)
            jobs[p].items.push_back(
                {conversation_id(std::string(convs.at(i % convs.size()).as_object().at("id").as_string())), {}, {}});
    }
    const auto t0 = clk.now();
    for (auto& j : jobs) {
        auto act = [&api, page = j.page](const wf::bulk_item& it, std::size_t i) -> asio::awaitable<error_code> {
            if (i % 2) {
                auto [ec, r] =
                    co_await api.async_mark_unread(page, it.conversation, asio::as_tuple(asio::use_awaitable));
                co_return ec;
            }
            auto [ec, r] = co_await api.async_mark_read(page, it.conversation, asio::as_tuple(asio::use_awaitable));
            co_return ec;
        };
        wf::bulk_options o;
        o.concurrency = 4; // 5/s at 100 ms needs 1 in flight; a little more absorbs the queueing
        wf::async_run_bulk(api, j.items, act, o, [&j](error_code, wf::bulk_progress p) {
            j.progress = p;
            j.done = true;
        });
    }
    auto all_done = [&] {
        for (auto& j : jobs)
            if (!j.done) return false;
        return true;
    };
    const auto rep = sim::run_virtual(ioc, clk, all_done, 1'000'000'000);
    if (rep.status != sim::run_status::done) {
        std::fprintf(stderr, "bench_rate_budget: %s: the virtual run did not finish\n", scenario.c_str());
        std::exit(2);
    }
    result r;
    r.scenario = scenario;
    r.pages = pages;
    r.ops_per_page = ops_per_page;
    r.seconds = std::chrono::duration<double>(clk.now() - t0).count();
    r.ideal = static_cast<double>(ops_per_page) / 5.0;
    for (auto& j : jobs) {
        r.done += j.progress.done;
        r.failed += j.progress.failed;
    }
    r.http_429 = api.stats().rate_limited;
    if (pages == 1) { // requests per second as the server counted them (arrival), the first two minutes
        std::vector<std::size_t> per_second(120);
        for (auto& e : srv.journal())
            if (auto s = static_cast<std::size_t>(e.arrived); s < per_second.size()) ++per_second[s];
        std::printf("{\"bench\":\"rate_budget_series\",\"scenario\":\"%s\",\"limit_per_s\":5,\"per_second\":[",
                    scenario.c_str());
        for (std::size_t i = 0; i < per_second.size(); ++i)
            std::printf("%s%zu", i ? "," : "", per_second[i]);
        std::printf("]}\n");
    }
    srv.stop();
    sim::run_virtual(
        ioc, clk, [] { return false; }, 1'000'000);
    r.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    return r;
}

void print(const result& r) {
    std::printf("{\"bench\":\"rate_budget\",\"scenario\":\"%s\",\"pages\":%zu,\"ops_per_page\":%zu,\"done\":%zu,"
                "\"failed\":%zu,\"http_429\":%zu,\"virtual_s\":%.3f,\"ideal_s\":%.3f,\"time_vs_ideal\":%.4f,"
                "\"wall_s\":%.2f}\n",
                r.scenario.c_str(), r.pages, r.ops_per_page, r.done, r.failed, r.http_429, r.seconds, r.ideal,
                r.ideal > 0 ? r.seconds / r.ideal : 0, r.wall);
    std::fflush(stdout);
}

} // namespace

// Real time, over TCP: N operations on one page of a running `pancake-sim --rate-limit 5`.
int run_real(const std::string& base, std::size_t n) {
    asio::io_context ioc;
    client_config cfg;
    cfg.base_url = base;
    client api(ioc.get_executor(), cfg);
    const page_id page("100000000000001");
    api.add_page(page, "pat_hoamai_7f3c2a91e4b84d0c");
    std::vector<wf::bulk_item> items;
    const char* convs[] = {"100000000000001_200000000000001", "100000000000001_200000000000002",
                           "300000000000001_400000000000001"};
    for (std::size_t i = 0; i < n; ++i)
        items.push_back({conversation_id(convs[i % 3]), {}, {}});
    auto act = [&api, page](const wf::bulk_item& it, std::size_t i) -> asio::awaitable<error_code> {
        auto [ec, r] = co_await api.async_add_tag(page, it.conversation, tag_id(static_cast<std::int64_t>(1 + i % 2)),
                                                  asio::as_tuple(asio::use_awaitable));
        co_return ec;
    };
    wf::bulk_progress progress;
    const auto t0 = std::chrono::steady_clock::now();
    wf::async_run_bulk(api, items, act, {}, [&](error_code, wf::bulk_progress p) { progress = p; });
    ioc.run();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("{\"bench\":\"rate_budget_real\",\"client\":\"pancake_bulk\",\"ops\":%zu,\"done\":%zu,"
                "\"wall_s\":%.3f,\"http_429\":%llu}\n",
                n, progress.done, wall, static_cast<unsigned long long>(api.stats().rate_limited));
    return progress.done == n && api.stats().rate_limited == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
    if (argc > 1 && std::string(argv[1]) == "--real")
        return run_real(argc > 2 ? argv[2] : "http://127.0.0.1:8080", argc > 3 ? std::stoul(argv[3]) : 100);
    const std::size_t ops = argc > 1 ? std::stoul(argv[1]) : 10000;
    const std::size_t pages = argc > 2 ? std::stoul(argv[2]) : 50;
    const std::size_t ops_many = argc > 3 ? std::stoul(argv[3]) : 10000;
    const auto one = run("one_page", 1, ops);
    print(one);
    const auto many = run("many_pages", pages, ops_many);
    print(many);
    return one.http_429 == 0 && many.http_429 == 0 && one.failed == 0 && many.failed == 0 ? 0 : 1;
}
