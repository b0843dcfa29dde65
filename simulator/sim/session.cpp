// One HTTP/1.1 connection, over any stream with the operations of stream_ops.hpp: reads requests
// within bounds, answers the admin API or the model, applies the faults, keeps the connection
// alive or closes it gracefully, and keeps the connection bookkeeping of server_core current.
#include "session.hpp"

#include "fault_effects.hpp"
#include "http_wire.hpp"
#include "stream_ops.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/parser.hpp>

#include <array>

namespace pancake::sim {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

template <class F>
response guarded(F f) { // a bug or an unforeseen input answers 500 instead of killing the session
    try {
        return f();
    } catch (const std::exception& e) {
        return error_response(500, std::string("pancake-sim internal error: ") + e.what());
    }
}

// Closing at once (or with linger 0) throws away what is still in the send buffer, and closing
// with unread input makes the kernel send RST, which destroys the answer on the peer's side:
// shut our side down so the peer reads everything then EOF, and wait briefly for its EOF,
// discarding what it still sends (say the rest of a body we refused with 413).
template <class Stream>
awaitable<void> graceful_close(server_core& core, Stream& s, std::uint64_t id) {
    core.set_conn(id, true, 0, true); // on its way out: the first to go if room is needed
    if (shutdown_send(s)) {
        set_deadline(s, core.opts.linger_timeout);
        std::array<char, 8192> sink;
        for (std::size_t drained = 0; drained < core.opts.max_body + (1 << 20);) {
            auto [rec, n] = co_await s.async_read_some(asio::buffer(sink), use_tuple);
            if (rec) break;
            drained += n;
        }
    }
    close_stream(s);
}

// Writes an answer within `deadline`; a HEAD answer is its headers only. Serialized first, then
// one write: cheaper than Beast's chain of write operations over the message's buffers.
template <class Stream>
awaitable<bool> send(Stream& s, const http::response<http::string_body>& res, bool head,
                     std::chrono::steady_clock::duration deadline) {
    set_deadline(s, deadline);
    const auto bytes = wire(res, head);
    auto [ec, n] = co_await asio::async_write(s, asio::buffer(bytes), use_tuple);
    co_return !ec;
}

// A `hang` fault: nothing is answered; the connection is held until the client gives up (or,
// within reason, hang_timeout passes), then reset.
template <class Stream>
awaitable<void> hang(server_core& core, Stream& s) {
    char b[64];
    ++core.parked;
    set_deadline(s, core.opts.hang_timeout);
    for (;;) {
        auto [ec, n] = co_await s.async_read_some(asio::buffer(b), use_tuple);
        if (ec) break;
    }
    --core.parked;
    reset_stream(s);
}

template <class Stream>
awaitable<void> refuse(std::shared_ptr<server_core> core, std::shared_ptr<Stream> stream, std::uint64_t id) {
    const std::size_t refusing = core->conns.size() - core->sessions();
    if (refusing <= core->opts.max_connections) { // a flood of refusals gets no answer at all
        auto busy = error_response(503, "Too many connections");
        busy.headers.emplace_back("Retry-After", "1");
        auto res = to_http(std::move(busy), 11, false);
        // A refusal waits on no one for long.
        if (co_await send(*stream, res, false, core->opts.linger_timeout)) co_await graceful_close(*core, *stream, id);
    }
    close_stream(*stream);
    core->conns.erase(id);
}

// Feeds the parser what is buffered, reading more only when it needs more: a request usually
// arrives in one read, and is then parsed without a further operation (http::async_read_some
// would post its completion through the scheduler). End of stream is reported as Beast does:
// end_of_stream before any byte of a request, the parser's verdict (partial_message) after.
template <class Stream>
awaitable<boost::system::error_code> read_request(server_core& core, Stream& s, beast::flat_buffer& buf,
                                                  http::request_parser<growing_body>& parser, std::uint64_t id) {
    boost::system::error_code ec;
    for (;;) {
        if (buf.size() > 0) {
            buf.consume(parser.put(buf.data(), ec));
            if (ec == http::error::need_more) ec = {};
            if (ec || parser.is_done()) co_return ec;
        }
        core.set_conn(id, false, parser.get().body().capacity()); // what a partial body holds so far
        auto [rec, n] = co_await s.async_read_some(buf.prepare(beast::read_size(buf, 65536)), use_tuple);
        if (rec == asio::error::eof) {
            if (!parser.got_some()) co_return http::error::end_of_stream;
            parser.put_eof(ec);
            co_return ec;
        }
        if (rec) co_return rec;
        buf.commit(n);
    }
}

template <class Stream>
awaitable<void> serve(std::shared_ptr<server_core> core, std::shared_ptr<Stream> stream, std::uint64_t id) {
    struct forget {
        server_core& core;
        std::uint64_t id;
        ~forget() { core.conns.erase(id); }
    } forget_conn{*core, id};
    const auto& opts = core->opts;
    beast::flat_buffer buf;
    for (bool first = true;; first = false) {
        if (buf.size() == 0) { // between requests: idle, may be closed to make room
            core->set_conn(id, true, 0, !first);
            set_deadline(*stream, opts.idle_timeout);
            auto [ec, n] = co_await stream->async_read_some(buf.prepare(4096), use_tuple);
            core->set_conn(id, false, 0);
            if (ec) co_return close_stream(*stream);
            buf.commit(n);
        }
        http::request_parser<growing_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(opts.max_header, UINT32_MAX)));
        parser.body_limit(opts.max_body);
        parser.eager(true);
        set_deadline(*stream, opts.idle_timeout); // the whole request must arrive by then
        auto ec = co_await read_request(*core, *stream, buf, parser, id);
        core->set_conn(id, false, 0);
        clear_deadline(*stream); // a latency fault or the model may take their time now
        if (ec) {
            const bool http_error = ec.category() == make_error_code(http::error::bad_target).category();
            std::optional<response> answer;
            if (ec == http::error::body_limit || ec == http::error::header_limit)
                answer = error_response(413, "Request entity too large");
            else if (http_error && ec != http::error::end_of_stream && ec != http::error::partial_message)
                answer = error_response(400, "Malformed HTTP request");
            if (!answer) co_return close_stream(*stream);
            auto res = to_http(std::move(*answer), 11, false);
            if (co_await send(*stream, res, false, opts.write_timeout)) co_await graceful_close(*core, *stream, id);
            co_return close_stream(*stream);
        }
        auto& req = parser.get();
        request r{std::string(req.method_string()), std::string(req.target()), std::move(req.body())};
        const bool keep_alive = req.keep_alive();
        const bool head = req.method() == http::verb::head;
        const unsigned version = req.version();

        if (r.target.starts_with("/__sim/")) {
            auto resp = admin_token_ok(opts.admin_token, req["X-Sim-Admin-Token"])
                            ? guarded([&] { return admin_router(*core, r); })
                            : error_response(401, "admin token required (X-Sim-Admin-Token header)");
            auto res = to_http(std::move(resp), version, keep_alive);
            if (!co_await send(*stream, res, head, opts.write_timeout)) co_return reset_stream(*stream);
            if (!keep_alive) co_return co_await graceful_close(*core, *stream, id);
            continue;
        }

        journal_entry je{0, r.method, {}, {}, 0, {}, {}, {}, 0, {}, std::string(req[http::field::content_type])};
        // The request's target and body go to the journal when it is written (after the model's
        // answer, the last use of the request): moved, not copied.
        auto journal = [&] {
            je.path = std::move(r.target);
            je.body = std::move(r.body);
            core->record(std::move(je));
        };
        // Route and page are known before faults are chosen, so rules can target them.
        std::tie(je.route, je.page) = world::route_name(r);
        je.arrived = core->since_start();
        const auto arrived_at = core->clk.now();
        auto decision = core->faults().decide(je.route, je.page, je.arrived);
        auto effect = effect_of(decision.failure, decision.status);
        if (decision.failure) je.fault = to_string(*decision.failure);
        // Counted when it arrives, as a server counts: a slow answer does not move the request
        // into a later rate window.
        if (effect.counts_toward_limit) core->model().count_call(je.page, arrived_at);
        // A request the model answers after a latency fault is admitted (or refused with a 429)
        // when it arrives, not when the delay ends.
        const bool admit_early = decision.delay.count() > 0 && !effect.canned &&
                                 effect.action != session_action::reset && effect.action != session_action::hang;
        std::optional<response> refused;
        if (admit_early) {
            try {
                refused = core->model().admit(r, arrived_at);
            } catch (const std::exception&) { // the model's handle() below answers 500 for it
            }
        }
        if (decision.delay.count() > 0) {
            ++core->parked;
            auto [tec] = co_await core->clk.async_wait_for(core->ex, decision.delay, use_tuple);
            --core->parked;
            if (tec || core->stopped) co_return;
        }
        if (effect.action == session_action::reset) {
            journal();
            co_return reset_stream(*stream);
        }
        if (effect.action == session_action::hang) {
            journal();
            co_return co_await hang(*core, *stream);
        }
        response resp = effect.canned ? std::move(*effect.canned)
                        : refused     ? std::move(*refused)
                                      : guarded([&] {
                                        auto out = core->model().handle(r, core->clk.now(), core->clk.system_now(),
                                                                        admit_early ? world::rate_step::skip
                                                                                        : world::rate_step::check);
                                        core->publish(out.events);
                                        return std::move(out.resp);
                                    });
        je.status = effect.journaled_status() ? resp.status : 0;
        journal();
        auto res = to_http(std::move(resp), version, keep_alive);
        if (effect.action == session_action::cut) {
            auto bytes = wire(res);
            if (auto keep = bytes_to_keep(effect.cut, bytes)) {
                set_deadline(*stream, opts.write_timeout);
                co_await asio::async_write(*stream, asio::buffer(bytes.data(), keep), use_tuple);
            }
            co_return reset_stream(*stream);
        }
        if (!co_await send(*stream, res, head, opts.write_timeout)) co_return reset_stream(*stream);
        if (!keep_alive) co_return co_await graceful_close(*core, *stream, id);
    }
}

// Counts the connection, makes room at the cap or turns it away, and starts its session.
template <class Stream>
void admit(const std::shared_ptr<server_core>& core, std::shared_ptr<Stream> stream) {
    ++core->accepted;
    const auto id = ++core->next_conn;
    server_core::conn c;
    c.close = [stream] { close_stream(*stream); };
    if (core->sessions() >= core->opts.max_connections && !core->evict_idle()) {
        ++core->refused;
        c.refusing = true;
        core->conns[id] = std::move(c);
        asio::co_spawn(core->ex, refuse(core, std::move(stream), id), asio::detached);
        return;
    }
    core->conns[id] = std::move(c);
    asio::co_spawn(core->ex, serve(core, std::move(stream), id), asio::detached);
}

} // namespace

void start_connection(const std::shared_ptr<server_core>& core, asio::ip::tcp::socket sock) {
    boost::system::error_code ec;
    sock.set_option(asio::ip::tcp::no_delay(true), ec); // an answer goes out whole, at once
    admit(core, std::make_shared<watched_socket>(std::move(sock)));
}

void start_connection(const std::shared_ptr<server_core>& core, pancake::testing::memory_stream stream) {
    if (core->stopped) return; // a stopped server takes no connection: the end closes, the peer reads eof
    admit(core, std::make_shared<pancake::testing::memory_stream>(std::move(stream)));
}

} // namespace pancake::sim
