// Simulator memory and listing latency at scale (issue 13, item 6): generates a page of N
// conversations (realistic tags, assignees and two messages each; a generator, not a checked-in
// file), loads it into the embedded simulator, and reports the resident memory it holds (after
// the fixture's JSON is freed), the load time, and the latency of v2 listing calls through the
// client over in-memory streams: the first page, a tag filter, and deep in the cursor.
//
//   bench_sim_scale [N=100000] [CALLS=50] [unique]
// `unique`: every message text and snippet is distinct (an order number in it), as on a real
// page, where the default repeats six phrases.
// Targets (issue 13): 1M conversations in <= 300 MB resident; a listing call under 1 ms (median).
#include <pancake/http/connection.hpp>
#include <pancake/pancake.hpp>
#include <pancake/testing/memory_stream.hpp>
#include <sim/server.hpp>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <malloc.h>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace pancake;
using steady = std::chrono::steady_clock;

namespace {

double rss_mb() {
    std::ifstream f("/proc/self/statm");
    long pages = 0, resident = 0;
    f >> pages >> resident;
    return static_cast<double>(resident) * 4096.0 / (1024.0 * 1024.0);
}

std::string iso(std::int64_t unix_s) {
    auto tp = std::chrono::sys_seconds(std::chrono::seconds(unix_s));
    auto day = std::chrono::floor<std::chrono::days>(tp);
    std::chrono::year_month_day ymd(day);
    std::chrono::hh_mm_ss hms(tp - day);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()), int(hms.hours().count()), int(hms.minutes().count()),
                  int(hms.seconds().count()));
    return buf;
}

const char* const phrases[] = {"Cho mình đặt hàng 2 áo size M",     "Giá cái này bao nhiêu vậy shop?",
                               "Ship về Đà Nẵng mất mấy ngày?",     "Mình muốn đổi size được không ạ",
                               "Hàng giao bị lỗi, shop xử lý giúp", "Còn màu đen không shop?"};

boost::json::value fixture(std::size_t n, bool unique) {
    auto fx = sim::sample_fixture();
    auto& page = fx.as_object().at("pages").as_array().at(0).as_object();
    const auto users = page.at("users").as_array();
    boost::json::array convs;
    convs.reserve(n);
    const std::int64_t t0 = 1767225600 - static_cast<std::int64_t>(n) * 30;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string psid = std::to_string(200000000000000ull + 1000 + i);
        const std::string id = "100000000000001_" + psid;
        const auto t = t0 + static_cast<std::int64_t>(i) * 30;
        boost::json::array tags;
        if (i % 3 == 0) tags.push_back(static_cast<std::int64_t>(1));
        if (i % 5 == 0) tags.push_back(static_cast<std::int64_t>(3));
        boost::json::array assignees;
        if (i % 4 != 0) assignees.push_back(users.at(i % users.size()).as_object().at("id"));
        boost::json::object from{{"id", psid}, {"name", "Khách " + std::to_string(i)}};
        boost::json::array messages;
        auto text = [&](int m) {
            std::string t = phrases[(i + m) % 6];
            if (unique) t += " (đơn #" + std::to_string(i * 2 + m) + ")";
            return t;
        };
        for (int m = 0; m < 2; ++m)
            messages.push_back(boost::json::object{{"id", "m_" + psid + "_" + std::to_string(m)},
                                                   {"type", "INBOX"},
                                                   {"original_message", text(m)},
                                                   {"message", "<div>" + text(m) + "</div>"},
                                                   {"inserted_at", iso(t - 60 + m * 60)},
                                                   {"from", from}});
        convs.push_back(boost::json::object{{"id", id},
                                            {"type", "INBOX"},
                                            {"seen", i % 2 == 0},
                                            {"message_count", 2},
                                            {"snippet", text(1)},
                                            {"inserted_at", iso(t - 60)},
                                            {"updated_at", iso(t)},
                                            {"from", from},
                                            {"tags", std::move(tags)},
                                            {"assignee_ids", std::move(assignees)},
                                            {"messages", std::move(messages)}});
    }
    page["conversations"] = std::move(convs);
    return fx;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::stoul(argv[1]) : 100000;
    const std::size_t calls = argc > 2 ? std::stoul(argv[2]) : 50;
    const bool unique = argc > 3 && std::string(argv[3]) == "unique";
    asio::io_context ioc;
    sim::server_options so;
    so.max_journal = 16;
    sim::server srv(ioc.get_executor(), real_clock::instance(), so);
    srv.model().rate_limits().per_second = 0;
    const double rss0 = rss_mb();
    const double heap0 = static_cast<double>(mallinfo2().uordblks + mallinfo2().hblkhd) / (1024.0 * 1024.0);
    double load_s = 0;
    {
        auto fx = fixture(n, unique);
        std::string err;
        const auto t = steady::now();
        if (!srv.load_fixture(fx, err)) {
            std::fprintf(stderr, "bench_sim_scale: %s\n", err.c_str());
            return 2;
        }
        load_s = std::chrono::duration<double>(steady::now() - t).count();
    }
    malloc_trim(0); // the fixture's DOM is gone: count what the simulator keeps
    const double held = rss_mb() - rss0;
    // The heap's live bytes: what the state needs, without the allocator's holes.
    const double heap_held = static_cast<double>(mallinfo2().uordblks + mallinfo2().hblkhd) / (1024.0 * 1024.0) - heap0;

    client_config cfg;
    cfg.base_url = "http://sim.invalid";
    cfg.transport = [&srv](asio::any_io_executor) -> std::unique_ptr<http::connection> {
        return std::make_unique<http::stream_connection<testing::memory_stream>>(srv.connect_in_memory());
    };
    cfg.rate_limit.per_second = 1e9;
    cfg.rate_limit.burst = 1 << 20;
    client api(ioc.get_executor(), cfg);
    const page_id page("100000000000001");
    api.add_page(page, "pat_hoamai_7f3c2a91e4b84d0c");

    auto time_calls = [&](conversation_query q) {
        std::vector<double> ms;
        for (std::size_t i = 0; i < calls; ++i) {
            bool done = false;
            const auto t = steady::now();
            api.async_list_conversations(page, q, [&](error_code ec, conversation_list) {
                if (ec) std::fprintf(stderr, "bench_sim_scale: %s\n", ec.message().c_str());
                done = true;
            });
            while (!done)
                ioc.run_one();
            ms.push_back(std::chrono::duration<double, std::milli>(steady::now() - t).count());
        }
        return median(ms);
    };
    conversation_query first;
    conversation_query tagged;
    tagged.tags.push_back(tag_id(3));
    conversation_query deep; // a cursor half way down the page
    deep.last_conversation_id = conversation_id("100000000000001_" + std::to_string(200000000000000ull + 1000 + n / 2));
    // The simulator's own time per listing call (the model answering, JSON included), and the
    // same calls through the client (transport, parse and decode added).
    const std::string list_target =
        "/api/public_api/v2/pages/100000000000001/conversations?page_access_token=pat_hoamai_7f3c2a91e4b84d0c";
    auto time_model = [&](const std::string& query) {
        std::vector<double> ms;
        for (std::size_t i = 0; i < calls; ++i) {
            const auto t = steady::now();
            auto r = srv.model().handle({"GET", list_target + query, {}}, sim::steady_time{}, sim::wall_time{});
            ms.push_back(std::chrono::duration<double, std::milli>(steady::now() - t).count());
            if (r.resp.status != 200) std::fprintf(stderr, "bench_sim_scale: listing answered %u\n", r.resp.status);
        }
        return median(ms);
    };
    const double model_first_ms = time_model("");
    const double model_tag_ms = time_model("&tags=3");
    const double model_deep_ms = time_model("&last_conversation_id=" + deep.last_conversation_id->value());
    const double first_ms = time_calls(first);
    const double tag_ms = time_calls(tagged);
    const double deep_ms = time_calls(deep);
    // The listing's index is built on the first call: memory counts it (the state a serving
    // simulator holds), the larger of the two figures is the one held to the target.
    malloc_trim(0);
    const double held_listing = rss_mb() - rss0;
    const double held_max = std::max(held, held_listing);
    std::printf("{\"bench\":\"sim_scale\",\"texts\":\"%s\",\"conversations\":%zu,\"resident_mb\":%.1f,\"resident_after_"
                "listing_mb\":%."
                "1f,\"heap_mb\":%.1f,\"kb_per_"
                "conversation\":%.2f,"
                "\"load_s\":%.3f,\"listing_first_ms\":%.3f,\"listing_tag_ms\":%.3f,\"listing_deep_ms\":%.3f,"
                "\"client_first_ms\":%.3f,\"client_tag_ms\":%.3f,\"client_deep_ms\":%.3f,"
                "\"projected_1m_mb\":%.0f,\"target_1m_300mb\":%s,\"target_listing_1ms\":%s}\n",
                unique ? "unique" : "six_phrases", n, held, held_listing, heap_held,
                held_max * 1024.0 / static_cast<double>(n), load_s, model_first_ms, model_tag_ms, model_deep_ms,
                first_ms, tag_ms, deep_ms, held_max * 1e6 / static_cast<double>(n),
                held_max * 1e6 / static_cast<double>(n) <= 300 ? "true" : "false",
                std::max({model_first_ms, model_tag_ms, model_deep_ms}) < 1.0 ? "true" : "false");
    srv.stop();
    return 0;
}
