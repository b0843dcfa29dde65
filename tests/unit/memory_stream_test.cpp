// pancake::testing::memory_stream: the in-memory pipe the deterministic tests run HTTP over.
#include <pancake/testing/memory_stream.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace memory_stream_test {

namespace asio = boost::asio;
using boost::system::error_code;
using pancake::testing::make_memory_pipe;

namespace {
struct read_result {
    bool done = false;
    error_code ec;
    std::size_t n = 0;
};
// poll() on a context without outstanding work stops it: restart first, as a driver loop must.
std::size_t poll(asio::io_context& ioc) {
    ioc.restart();
    return ioc.poll();
}
auto record(read_result& r) {
    return [&r](error_code ec, std::size_t n) {
        r.done = true;
        r.ec = ec;
        r.n = n;
    };
}
} // namespace

BOOST_AUTO_TEST_SUITE(memory_stream)

BOOST_AUTO_TEST_CASE(bytes_written_on_one_end_are_read_on_the_other_in_order) {
    asio::io_context ioc;
    auto [a, b] = make_memory_pipe(ioc.get_executor());
    char buf[4];
    read_result r;
    b.async_read_some(asio::buffer(buf), record(r)); // waits: nothing written yet
    BOOST_TEST(poll(ioc) == 0u);
    BOOST_TEST(!r.done);
    std::string hello = "hello";
    asio::async_write(a, asio::buffer(hello), [](error_code ec, std::size_t n) {
        BOOST_TEST(!ec);
        BOOST_TEST(n == 5u);
    });
    poll(ioc);
    BOOST_TEST(r.done);
    BOOST_TEST(!r.ec);
    BOOST_TEST(std::string(buf, r.n) == "hell");
    BOOST_TEST(b.available() == 1u);
    read_result r2;
    b.async_read_some(asio::buffer(buf), record(r2));
    poll(ioc);
    BOOST_TEST(std::string(buf, r2.n) == "o");
    BOOST_TEST(b.available() == 0u);
}

BOOST_AUTO_TEST_CASE(closing_one_end_gives_the_peer_the_rest_then_eof_and_refuses_its_writes) {
    asio::io_context ioc;
    auto [a, b] = make_memory_pipe(ioc.get_executor());
    std::string last = "bye";
    asio::async_write(a, asio::buffer(last), [](error_code, std::size_t) {});
    poll(ioc);
    a.close();
    BOOST_TEST(!a.is_open());
    BOOST_TEST(b.is_open());
    char buf[8];
    read_result r1, r2, w;
    b.async_read_some(asio::buffer(buf), record(r1));
    poll(ioc);
    BOOST_TEST(std::string(buf, r1.n) == "bye");
    b.async_read_some(asio::buffer(buf), record(r2));
    poll(ioc);
    BOOST_TEST(r2.ec == asio::error::eof);
    b.async_write_some(asio::buffer(last), record(w));
    poll(ioc);
    BOOST_TEST(w.ec == asio::error::connection_reset);
    read_result r3;
    a.async_read_some(asio::buffer(buf), record(r3));
    poll(ioc);
    BOOST_TEST(r3.ec == asio::error::bad_descriptor);
}

BOOST_AUTO_TEST_CASE(a_waiting_read_is_cancelled_through_its_slot_and_by_closing_its_own_end) {
    asio::io_context ioc;
    auto [a, b] = make_memory_pipe(ioc.get_executor());
    asio::cancellation_signal sig;
    char buf[8];
    read_result r;
    b.async_read_some(asio::buffer(buf), asio::bind_cancellation_slot(sig.slot(), record(r)));
    poll(ioc);
    BOOST_TEST(!r.done);
    sig.emit(asio::cancellation_type::terminal);
    poll(ioc);
    BOOST_TEST(r.ec == asio::error::operation_aborted);
    // The pipe still works after a cancelled read.
    std::string x = "x";
    asio::async_write(a, asio::buffer(x), [](error_code, std::size_t) {});
    read_result r2;
    b.async_read_some(asio::buffer(buf), asio::bind_cancellation_slot(sig.slot(), record(r2)));
    poll(ioc);
    BOOST_TEST(r2.n == 1u);
    read_result r3;
    b.async_read_some(asio::buffer(buf), record(r3));
    poll(ioc);
    b.close();
    poll(ioc);
    BOOST_TEST(r3.ec == asio::error::operation_aborted);
}

BOOST_AUTO_TEST_CASE(beast_http_runs_over_it) {
    namespace http = boost::beast::http;
    asio::io_context ioc;
    auto [client, server] = make_memory_pipe(ioc.get_executor());
    http::request<http::string_body> req{http::verb::post, "/api/x", 11};
    req.body() = std::string(100000, 'a'); // bigger than any single read
    req.prepare_payload();
    http::async_write(client, req, [](error_code ec, std::size_t) { BOOST_TEST(!ec); });
    boost::beast::flat_buffer buf;
    http::request<http::string_body> got;
    bool read = false;
    http::async_read(server, buf, got, [&](error_code ec, std::size_t) {
        BOOST_TEST(!ec);
        read = true;
    });
    ioc.run();
    BOOST_TEST(read);
    BOOST_TEST(got.body().size() == 100000u);
    BOOST_TEST(got.target() == "/api/x");
}

BOOST_AUTO_TEST_CASE(pending_reads_do_not_keep_run_alive_and_die_with_the_context) {
    auto ioc = std::make_unique<asio::io_context>();
    auto alive = std::make_shared<int>(0);
    std::weak_ptr<int> watch = alive;
    {
        auto pipe = std::make_shared<std::pair<pancake::testing::memory_stream, pancake::testing::memory_stream>>(
            make_memory_pipe(ioc->get_executor()));
        auto buf = std::make_shared<std::array<char, 4>>();
        // The handler owns the pipe: a cycle only the context's shutdown can break.
        pipe->first.async_read_some(asio::buffer(*buf),
                                    [pipe, buf, alive = std::move(alive)](error_code, std::size_t) {});
    }
    ioc->run(); // returns: a waiting read is not outstanding work
    BOOST_TEST(!watch.expired());
    ioc.reset();
    BOOST_TEST(watch.expired());
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace memory_stream_test
