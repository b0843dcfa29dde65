// The webhook receiver's HTTP handling on arbitrary bytes, over an in-memory connection: one
// connection per input, the bytes written by the "sender", answers read back, then the sender
// closes. Input: [options byte][bytes on the wire...]. It must never crash or hang, answer only
// with HTTP/1.1 status lines, and hand the intake only bodies that are JSON objects.
#include "fuzz_check.hpp"

#include <pancake/testing/memory_stream.hpp>
#include <pancake/webhook/detail/is_json_object.hpp>
#include <pancake/webhook/intake.hpp>
#include <pancake/webhook/receiver.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

// Runs ready handlers until nothing is left; a bound keeps a livelock from hanging the fuzzer.
void drain(boost::asio::io_context& io) {
    for (int i = 0; i < 10'000 && io.poll() > 0; ++i) {
    }
    io.restart();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    namespace wh = pancake::webhook;
    boost::asio::io_context io;
    wh::memory_intake in(io.get_executor(), (data[0] & 4) ? 1 : 100);
    wh::receiver_options o;
    if (data[0] & 1) o.secret = "s3cret";
    o.max_body = (data[0] & 2) ? 64 : 4096; // small limits reach the 413 paths
    std::string answers;
    {
        wh::receiver r(io.get_executor(), in, o);
        auto [server_end, client] = pancake::testing::make_memory_pipe(io.get_executor());
        r.serve(std::move(server_end));
        client.async_write_some(boost::asio::buffer(data + 1, size - 1), [](boost::system::error_code, std::size_t) {});
        drain(io);
        // Everything the receiver answered so far (a write completes at once, so this is all).
        while (client.available() > 0) {
            char buf[4096];
            client.async_read_some(boost::asio::buffer(buf), [&](boost::system::error_code ec, std::size_t n) {
                if (!ec) answers.append(buf, n);
            });
            drain(io);
        }
        client.close();
        drain(io);
        while (auto rec = in.next()) {
            PANCAKE_FUZZ_CHECK(wh::detail::is_json_object(rec->body));
            in.commit(rec->seq, {});
        }
    }
    drain(io);
    PANCAKE_FUZZ_CHECK(answers.empty() || answers.starts_with("HTTP/1."));
    return 0;
}
