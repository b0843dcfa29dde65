// The seed article's follow-up cron job: mark unread every inbox conversation that was read more
// than N hours ago and not answered, so the staff see it again. Run it from cron:
//
//   follow_up [BASE_URL] [PAGE_ID] [HOURS]        (default 24 hours)
//   (env: PANCAKE_BASE_URL, PANCAKE_PAGE_ID, PANCAKE_PAGE_ACCESS_TOKEN; FOLLOW_UP_DRY_RUN=1 lists only)
//
// The marking runs 8 at a time behind the client's rate limiter: the whole budget of the page,
// never a 429. Exit status: 0 done, 1 a call failed, 2 some conversations could not be marked.
#include <pancake/pancake.hpp>
#include <pancake/workflow/follow_up.hpp>

#include <boost/asio.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

namespace asio = boost::asio;
using namespace pancake;

namespace {

std::string arg(int argc, char** argv, int i, const char* env, const char* fallback) {
    if (argc > i) return argv[i];
    if (const char* v = std::getenv(env)) return v;
    return fallback;
}

asio::awaitable<int> run(client& api, page_id page, std::chrono::hours older_than, bool dry_run) {
    workflow::follow_up_options opts;
    opts.older_than = older_than;
    auto [ec, plan] = co_await workflow::async_plan_follow_up(api, page, opts, asio::as_tuple(asio::use_awaitable));
    if (ec) {
        std::cerr << "follow_up: listing failed: " << ec.message() << "\n";
        co_return 1;
    }
    std::cout << plan.items.size() << " conversations read over " << older_than.count() << " h ago and not answered\n";
    for (auto& it : plan.items)
        std::cout << "  " << it.conversation << "\n";
    if (dry_run || plan.items.empty()) co_return 0;

    workflow::bulk_options bulk;
    bulk.on_progress = [](const workflow::bulk_progress& p) {
        if (p.done_this_run % 10 == 0 || p.remaining() == 0)
            std::cout << "  marked " << p.done << "/" << p.total << " (" << p.per_second() << "/s, " << p.retries
                      << " retries)\n";
    };
    auto [rec, progress] = co_await workflow::async_run_follow_up(api, plan, bulk, asio::as_tuple(asio::use_awaitable));
    if (rec) {
        std::cerr << "follow_up: " << rec.message() << "\n";
        co_return 1;
    }
    for (auto& it : plan.items)
        if (it.state == workflow::item_state::failed) std::cerr << "  " << it.conversation << ": " << it.error << "\n";
    std::cout << "marked unread: " << progress.done << ", failed: " << progress.failed << "\n";
    co_return progress.failed ? 2 : 0;
}

} // namespace

int main(int argc, char** argv) {
    client_config cfg;
    cfg.base_url = arg(argc, argv, 1, "PANCAKE_BASE_URL", "http://127.0.0.1:8080");
    page_id page(arg(argc, argv, 2, "PANCAKE_PAGE_ID", "100000000000001"));
    const auto hours = std::chrono::hours(std::stol(arg(argc, argv, 3, "FOLLOW_UP_HOURS", "24")));
    const char* dry = std::getenv("FOLLOW_UP_DRY_RUN");
    asio::io_context ioc;
    client api(ioc.get_executor(), cfg);
    api.add_page(page, arg(argc, argv, 99, "PANCAKE_PAGE_ACCESS_TOKEN", "pat_hoamai_7f3c2a91e4b84d0c"));
    int rc = 0;
    asio::co_spawn(ioc, run(api, page, hours, dry && std::string(dry) == "1"), [&](std::exception_ptr e, int r) {
        rc = r;
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            std::cerr << "follow_up failed: " << ex.what() << "\n"; // tokens never appear here
            rc = 1;
        }
    });
    ioc.run();
    return rc;
}
