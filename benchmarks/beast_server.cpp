// The minimal Beast server of the simulator-throughput comparison (issue 13, item 3): one thread,
// keep-alive, reads each request with its body, parses a JSON body when there is one (as the
// simulator must), and answers a fixed JSON document read from a file. What any HTTP+JSON server
// on Asio/Beast costs, so that `wrk` against pancake-sim can be put next to it.
//
//   bench_beast_server PORT ANSWER_FILE      (prints "listening on http://127.0.0.1:PORT")
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

asio::awaitable<void> session(tcp::socket sock, const std::string& answer) {
    beast::tcp_stream stream(std::move(sock));
    beast::flat_buffer buf;
    for (;;) {
        bhttp::request<bhttp::string_body> req;
        auto [ec, n] = co_await bhttp::async_read(stream, buf, req, asio::as_tuple(asio::use_awaitable));
        (void)n;
        if (ec) co_return;
        if (!req.body().empty()) {
            boost::system::error_code jec;
            auto v = boost::json::parse(req.body(), jec);
            (void)v;
        }
        bhttp::response<bhttp::string_body> res(bhttp::status::ok, req.version());
        res.set(bhttp::field::content_type, "application/json");
        res.keep_alive(req.keep_alive());
        res.body() = answer;
        res.prepare_payload();
        auto [wec, m] = co_await bhttp::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
        (void)m;
        if (wec || !req.keep_alive()) co_return;
    }
}

asio::awaitable<void> listen(tcp::acceptor& acc, const std::string& answer) {
    for (;;) {
        auto [ec, sock] = co_await acc.async_accept(asio::as_tuple(asio::use_awaitable));
        if (ec) continue;
        sock.set_option(tcp::no_delay(true));
        asio::co_spawn(acc.get_executor(), session(std::move(sock), answer), asio::detached);
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: bench_beast_server PORT ANSWER_FILE\n";
        return 2;
    }
    std::ifstream f(argv[2], std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string answer = ss.str();
    asio::io_context ioc(1);
    tcp::acceptor acc(
        ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::stoul(argv[1]))));
    std::cout << "listening on http://127.0.0.1:" << acc.local_endpoint().port() << std::endl;
    asio::co_spawn(ioc, listen(acc, answer), asio::detached);
    asio::signal_set stop(ioc, SIGINT, SIGTERM);
    stop.async_wait([&](auto, int) { ioc.stop(); });
    ioc.run();
    return 0;
}
