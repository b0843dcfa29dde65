// Webhook intake throughput and acknowledgement latency over loopback HTTP: our receiver with
// the in-memory intake and with the durable file intake (fdatasync before each 200, group
// commit), each with a processor running a no-op handler, next to a minimal Beast server that
// answers 200 without doing anything: the baseline, measured in the same run. The server runs
// on one thread, the senders (keep-alive connections, one request at a time each, as Pancake
// delivers) on another. Prints one JSON object per variant and one with the ratios and targets
// (in-memory >= 0.7x the baseline's rate; durable >= 5000 events/s with p99 ack < 5 ms).
//
//   bench_webhook [events=20000] [connections=16] [rounds=3] [journal_dir=.]
#include <pancake/webhook.hpp>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace wh = pancake::webhook;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr auto tuple = asio::as_tuple(asio::use_awaitable);

// The baseline: reads a request, answers 200 with the receiver's body, nothing else.
asio::awaitable<void> bare_session(tcp::socket sock) {
    beast::tcp_stream stream(std::move(sock));
    beast::flat_buffer buf;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(1 << 20);
        auto [ec, n] = co_await http::async_read(stream, buf, parser, tuple);
        if (ec) co_return;
        http::response<http::string_body> res{http::status::ok, 11};
        res.set(http::field::content_type, "application/json");
        res.body() = R"({"success":true,"message":"stored"})";
        res.keep_alive(parser.get().keep_alive());
        res.prepare_payload();
        auto [wec, wn] = co_await http::async_write(stream, res, tuple);
        if (wec || !res.keep_alive()) co_return;
    }
}

asio::awaitable<void> bare_accept(tcp::acceptor& acc) {
    for (;;) {
        auto [ec, sock] = co_await acc.async_accept(tuple);
        if (ec) co_return;
        asio::co_spawn(acc.get_executor(), bare_session(std::move(sock)), asio::detached);
    }
}

std::string delivery(std::size_t i) {
    json::object msg{{"id", "m_" + std::to_string(i)},
                     {"message", "Shop ơi, áo mã " + std::to_string(i % 500) + " còn size M không ạ?"},
                     {"type", "INBOX"},
                     {"inserted_at", "2026-11-25T08:00:00"},
                     {"from", json::object{{"id", "psid_" + std::to_string(i % 64)}, {"name", "Khách hàng"}}}};
    json::object conv{{"id", "100000000000001_c" + std::to_string(i % 64)},
                      {"type", "INBOX"},
                      {"snippet", "Shop ơi"},
                      {"tags", json::array{1, 3}}};
    json::object ev{{"page_id", "100000000000001"},
                    {"event_type", "messaging"},
                    {"data", json::object{{"conversation", conv}, {"message", msg}, {"post", nullptr}}}};
    auto body = json::serialize(ev);
    return "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

struct measured {
    double seconds = 0, processed_seconds = 0;
    std::size_t acked = 0, failed = 0;
    std::vector<double> latency_us;
};

// `connections` senders share the requests; each measures send -> answer.
measured drive(unsigned short port, const std::vector<std::string>& requests, std::size_t connections,
               const std::function<std::size_t()>& processed) {
    asio::io_context ioc;
    measured m;
    m.latency_us.reserve(requests.size());
    std::size_t next = 0;
    const auto t0 = clock_type::now();
    for (std::size_t c = 0; c < connections; ++c)
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                beast::tcp_stream s(co_await asio::this_coro::executor);
                auto [cec] = co_await s.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), tuple);
                if (cec) co_return;
                s.socket().set_option(tcp::no_delay(true));
                beast::flat_buffer buf;
                while (next < requests.size()) {
                    const auto& rq = requests[next++];
                    const auto start = clock_type::now();
                    auto [wec, wn] = co_await asio::async_write(s, asio::buffer(rq), tuple);
                    http::response<http::string_body> res;
                    auto [rec, rn] = co_await http::async_read(s, buf, res, tuple);
                    if (wec || rec || res.result_int() != 200) {
                        ++m.failed;
                        if (wec || rec) co_return;
                        continue;
                    }
                    ++m.acked;
                    m.latency_us.push_back(
                        std::chrono::duration<double, std::micro>(clock_type::now() - start).count());
                }
            },
            asio::detached);
    ioc.run();
    m.seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
    while (processed() < m.acked)
        std::this_thread::yield();
    m.processed_seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
    return m;
}

struct summary {
    std::string variant;
    double ack_rate = 0, processed_rate = 0, p50 = 0, p99 = 0, max = 0;
    std::size_t acked = 0, failed = 0;
};

summary summarise(std::string variant, measured m) {
    summary s;
    s.variant = std::move(variant);
    s.acked = m.acked;
    s.failed = m.failed;
    s.ack_rate = static_cast<double>(m.acked) / m.seconds;
    s.processed_rate = static_cast<double>(m.acked) / m.processed_seconds;
    auto& l = m.latency_us;
    if (!l.empty()) {
        std::sort(l.begin(), l.end());
        s.p50 = l[l.size() / 2];
        s.p99 = l[std::min(l.size() - 1, l.size() * 99 / 100)];
        s.max = l.back();
    }
    return s;
}

// One server on its own thread: the baseline, or receiver + intake + processor.
summary run(const std::string& variant, const std::vector<std::string>& requests, std::size_t connections,
            const std::filesystem::path& journal_dir) {
    asio::io_context ioc;
    std::atomic<std::size_t> processed = 0;
    std::optional<tcp::acceptor> bare;
    std::unique_ptr<wh::intake> intake;
    std::optional<wh::receiver> rx;
    std::optional<wh::processor> proc;
    const auto journal = journal_dir / "bench_webhook.journal";
    std::filesystem::remove(journal);
    unsigned short port = 0;
    if (variant == "bare_beast") {
        bare.emplace(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        port = bare->local_endpoint().port();
        asio::co_spawn(ioc, bare_accept(*bare), asio::detached);
        processed = requests.size(); // nothing to process
    } else {
        if (variant == "memory_intake")
            intake = std::make_unique<wh::memory_intake>(ioc.get_executor(), requests.size() + 1);
        else
            intake = std::make_unique<wh::file_intake>(ioc.get_executor(), journal.string());
        rx.emplace(ioc.get_executor(), *intake);
        rx->start();
        port = rx->port();
        proc.emplace(ioc.get_executor(), *intake,
                     [&](const wh::received_event&, asio::any_completion_handler<void(pancake::error_code)> done) {
                         processed.fetch_add(1, std::memory_order_relaxed);
                         std::move(done)(pancake::error_code{});
                     });
        proc->start();
    }
    std::thread server([&] {
        auto guard = asio::make_work_guard(ioc);
        ioc.run();
    });
    auto m = drive(port, requests, connections, [&] { return processed.load(std::memory_order_relaxed); });
    asio::post(ioc, [&] {
        if (bare) bare->close();
        if (rx) rx->stop();
        ioc.stop();
    });
    server.join();
    proc.reset();
    rx.reset();
    intake.reset();
    std::filesystem::remove(journal);
    return summarise(variant, std::move(m));
}

void print(const summary& s) {
    std::printf("{\"bench\":\"webhook_intake\",\"variant\":\"%s\",\"acked\":%zu,\"failed\":%zu,"
                "\"ack_per_s\":%.0f,\"processed_per_s\":%.0f,\"p50_ack_us\":%.1f,\"p99_ack_us\":%.1f,"
                "\"max_ack_us\":%.1f}\n",
                s.variant.c_str(), s.acked, s.failed, s.ack_rate, s.processed_rate, s.p50, s.p99, s.max);
}

} // namespace

int main(int argc, char** argv) {
    const std::size_t events = argc > 1 ? std::stoul(argv[1]) : 20000;
    const std::size_t connections = argc > 2 ? std::stoul(argv[2]) : 16;
    const std::size_t rounds = argc > 3 ? std::stoul(argv[3]) : 3;
    const std::filesystem::path dir = argc > 4 ? argv[4] : ".";
    std::vector<std::string> requests;
    for (std::size_t i = 0; i < events; ++i)
        requests.push_back(delivery(i));

    // Rounds interleave the variants (machines here are noisy); the median round of each counts.
    const std::vector<std::string> variants = {"bare_beast", "memory_intake", "file_intake"};
    std::map<std::string, std::vector<summary>> all;
    for (std::size_t r = 0; r < rounds; ++r)
        for (auto& v : variants)
            all[v].push_back(run(v, requests, connections, dir));
    std::map<std::string, summary> med;
    for (auto& v : variants) {
        auto& xs = all[v];
        std::sort(xs.begin(), xs.end(), [](auto& a, auto& b) { return a.ack_rate < b.ack_rate; });
        med[v] = xs[xs.size() / 2];
        print(med[v]);
    }
    const double mem_ratio = med["memory_intake"].ack_rate / med["bare_beast"].ack_rate;
    const double file_ratio = med["file_intake"].ack_rate / med["bare_beast"].ack_rate;
    const bool mem_ok = mem_ratio >= 0.7;
    const bool file_ok = med["file_intake"].ack_rate >= 5000 && med["file_intake"].p99 < 5000;
    std::printf("{\"bench\":\"webhook_intake\",\"events\":%zu,\"connections\":%zu,\"rounds\":%zu,"
                "\"memory_vs_bare\":%.3f,\"file_vs_bare\":%.3f,\"memory_target_0_7x\":%s,"
                "\"durable_target_5000_per_s_p99_under_5ms\":%s}\n",
                events, connections, rounds, mem_ratio, file_ratio, mem_ok ? "true" : "false",
                file_ok ? "true" : "false");
    return mem_ok && file_ok ? 0 : 1;
}
