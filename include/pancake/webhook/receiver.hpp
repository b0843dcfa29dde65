// The webhook endpoint: a small Beast HTTP server that answers 200 only once a delivery is safely
// in the intake, and answers fast (Pancake wants an answer within 5 s, and counts anything else
// as a failure towards suspending the page's webhook).
//
// Answers (a JSON body {"success":bool,"message":…} on each):
//   200  stored in the intake (whatever its event_type: unknown ones are kept raw)
//   400  the body is not a JSON object                 (the sender would only repeat it)
//   404  another path, or a wrong secret               (a wrong secret looks like no endpoint)
//   405  not a POST
//   413  body over max_body (then the connection closes)
//   503  intake full, too many requests being stored, or too many connections (sender retries)
// Limits: a deadline for each request's headers and body (slow senders), max_body, connections
// and concurrent requests. Pancake signs nothing: an optional secret in the path
// (/webhook/<secret>) or the query (?secret=…) is compared in constant time.
#pragma once

#include <pancake/testing/memory_stream.hpp>
#include <pancake/webhook/detail/is_json_object.hpp>
#include <pancake/webhook/intake.hpp>
#include <pancake/webhook/monitor.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>

#include <list>
#include <memory>

namespace pancake::webhook {

struct receiver_options {
    std::string address = "127.0.0.1";
    unsigned short port = 0; ///< 0: any free port
    std::string path = "/webhook";
    std::string secret; ///< when set, required as /webhook/<secret> or ?secret=<secret>
    std::size_t max_body = 1 << 20;
    std::chrono::seconds request_timeout{10}; ///< to receive one request once it has started
    std::chrono::seconds idle_timeout{75};    ///< keep-alive connections with nothing to say
    std::chrono::seconds write_timeout{10};
    std::size_t max_connections = 1024;
    std::size_t max_concurrent = 512; ///< requests waiting for the intake at once
};

struct receiver_stats {
    std::uint64_t accepted = 0;    ///< 200
    std::uint64_t bad_request = 0; ///< 400
    std::uint64_t not_found = 0;   ///< 404 (wrong path or secret) and 405
    std::uint64_t too_large = 0;   ///< 413
    std::uint64_t busy = 0;        ///< 503
    std::uint64_t connections = 0; ///< accepted connections
};

namespace detail {

/// Compares without an early exit, so the time taken does not reveal how much of a guess matched.
inline bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    const std::size_t n = std::max(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff |= static_cast<unsigned char>(x ^ y);
    }
    return diff == 0;
}

} // namespace detail

class receiver {
public:
    /// `monitor` (optional) sees every answer: a 2xx as a success, anything else as a failure.
    receiver(boost::asio::any_io_executor ex, intake& in, receiver_options o = {},
             suspension_monitor* monitor = nullptr)
        : st_(std::make_shared<state>(std::move(ex), in, std::move(o), monitor)) {}
    ~receiver() { stop(); }
    receiver(const receiver&) = delete;
    receiver& operator=(const receiver&) = delete;

    /// Binds and starts accepting; throws system_error when the address is taken.
    void start() {
        namespace asio = boost::asio;
        auto& s = *st_;
        asio::ip::tcp::endpoint ep(asio::ip::make_address(s.opts.address), s.opts.port);
        s.acceptor.open(ep.protocol());
        s.acceptor.set_option(asio::socket_base::reuse_address(true));
        s.acceptor.bind(ep);
        s.acceptor.listen();
        s.stopped = false;
        asio::co_spawn(s.ex, accept_loop(st_), asio::detached);
    }
    /// Stops accepting; open connections finish the request they are on, then close.
    void stop() {
        auto& s = *st_;
        s.stopped = true;
        boost::system::error_code ec;
        s.acceptor.close(ec);
        for (auto& w : s.streams)
            if (auto p = w.lock(); p && !p->busy)
                p->stream.socket().shutdown(boost::asio::socket_base::shutdown_both, ec);
    }

    /// Serves one connection without a socket (the simulator's in-memory webhook delivery, the
    /// deterministic harness, the fuzzer): the same parsing, limits and answers as a TCP one, but
    /// no real-time deadlines, since on virtual time the sender's own timeout is what counts.
    void serve(pancake::testing::memory_stream s) {
        ++st_->stats.connections;
        auto c = std::make_shared<basic_connection<pancake::testing::memory_stream>>(std::move(s));
        boost::asio::co_spawn(st_->ex, session(st_, std::move(c)), boost::asio::detached);
    }

    unsigned short port() const { return st_->acceptor.local_endpoint().port(); }
    /// "http://127.0.0.1:PORT/webhook" (with the secret when one is set): what to register.
    std::string url() const {
        auto u = "http://" + st_->opts.address + ":" + std::to_string(port()) + st_->opts.path;
        if (!st_->opts.secret.empty()) u += "/" + st_->opts.secret;
        return u;
    }
    const receiver_stats& stats() const noexcept { return st_->stats; }
    std::size_t open_connections() const noexcept { return st_->open; }

private:
    template <class Stream>
    struct basic_connection {
        template <class S>
        explicit basic_connection(S s) : stream(std::move(s)) {}
        Stream stream;
        bool busy = false; // between reading a request and writing its answer
    };
    using connection = basic_connection<boost::beast::tcp_stream>;

    // Deadlines apply to sockets; an in-memory stream lives on virtual time, where the sender's
    // timeout decides.
    static void expire(boost::beast::tcp_stream& s, std::chrono::seconds d) { s.expires_after(d); }
    static void expire(pancake::testing::memory_stream&, std::chrono::seconds) {}
    struct state {
        state(boost::asio::any_io_executor e, intake& i, receiver_options o, suspension_monitor* m)
            : ex(std::move(e)), in(i), opts(std::move(o)), monitor(m), acceptor(ex), backoff(ex) {}
        boost::asio::any_io_executor ex;
        intake& in;
        receiver_options opts;
        suspension_monitor* monitor;
        boost::asio::ip::tcp::acceptor acceptor;
        boost::asio::steady_timer backoff;
        std::list<std::weak_ptr<connection>> streams;
        receiver_stats stats;
        std::size_t open = 0, storing = 0;
        bool stopped = false;
    };

    using response = boost::beast::http::response<boost::beast::http::string_body>;

    static response answer(state& s, unsigned status, std::string_view message, unsigned version, bool keep_alive) {
        namespace http = boost::beast::http;
        response res{static_cast<http::status>(status), version};
        res.set(http::field::content_type, "application/json");
        std::string body = R"({"success":)";
        body += status == 200 ? "true" : "false";
        body += R"(,"message":")";
        body.append(message);
        body += "\"}";
        res.body() = std::move(body);
        if (status == 503) res.set(http::field::retry_after, "1");
        res.keep_alive(keep_alive);
        res.prepare_payload();
        auto& st = s.stats;
        switch (status) {
        case 200:
            ++st.accepted;
            break;
        case 400:
            ++st.bad_request;
            break;
        case 404:
        case 405:
            ++st.not_found;
            break;
        case 413:
            ++st.too_large;
            break;
        default:
            ++st.busy;
            break;
        }
        if (s.monitor) s.monitor->record(status / 100 == 2);
        return res;
    }

    static bool authorised(const state& s, std::string_view target) {
        auto u = boost::urls::parse_origin_form(target);
        if (!u) return false;
        std::string path = u->path();
        const auto& base = s.opts.path;
        if (s.opts.secret.empty()) return path == base || path == base + "/";
        if (path.starts_with(base + "/")) {
            auto tail = std::string_view(path).substr(base.size() + 1);
            if (tail.ends_with('/')) tail.remove_suffix(1);
            return detail::constant_time_equal(tail, s.opts.secret);
        }
        if (path != base) return false;
        auto it = u->params().find("secret");
        return it != u->params().end() && detail::constant_time_equal((*it).value, s.opts.secret);
    }

    static boost::asio::awaitable<void> accept_loop(std::shared_ptr<state> st) {
        namespace asio = boost::asio;
        constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
        for (;;) {
            auto [ec, sock] = co_await st->acceptor.async_accept(tuple);
            if (st->stopped) co_return;
            if (ec) { // out of descriptors, …: back off instead of spinning
                st->backoff.expires_after(std::chrono::milliseconds(50));
                co_await st->backoff.async_wait(tuple);
                continue;
            }
            ++st->stats.connections;
            auto c = std::make_shared<connection>(std::move(sock));
            std::erase_if(st->streams, [](auto& w) { return w.expired(); });
            st->streams.push_back(c);
            asio::co_spawn(st->ex, session(st, c), asio::detached);
        }
    }

    template <class Conn>
    static boost::asio::awaitable<void> session(std::shared_ptr<state> st, std::shared_ptr<Conn> c) {
        namespace asio = boost::asio;
        namespace beast = boost::beast;
        namespace http = beast::http;
        constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
        ++st->open;
        struct closer {
            state& s;
            ~closer() { --s.open; }
        } on_exit{*st};
        auto& stream = c->stream;
        const bool over_cap = st->open > st->opts.max_connections;
        beast::flat_buffer buf;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.header_limit(16 << 10);
            parser.body_limit(st->opts.max_body);
            // Idle until the first byte, then the whole request within request_timeout.
            expire(stream, buf.size() ? st->opts.request_timeout : st->opts.idle_timeout);
            auto [ec0, n0] = co_await http::async_read_header(stream, buf, parser, tuple);
            if (ec0 == http::error::header_limit) {
                co_await write(stream, answer(*st, 413, "headers too large", 11, false), st->opts.write_timeout);
                co_return co_await graceful_close(stream);
            }
            // A Content-Length over max_body is refused with the header, before any body byte.
            if (ec0 == http::error::body_limit) {
                co_await write(stream, answer(*st, 413, "body too large", parser.get().version(), false),
                               st->opts.write_timeout);
                co_return co_await graceful_close(stream);
            }
            if (ec0) co_return co_await graceful_close(stream);
            c->busy = true;
            expire(stream, st->opts.request_timeout);
            auto [ec, n] = co_await http::async_read(stream, buf, parser, tuple);
            auto& req = parser.get();
            const unsigned version = req.version();
            if (ec == http::error::body_limit) {
                co_await write(stream, answer(*st, 413, "body too large", version, false), st->opts.write_timeout);
                co_return co_await graceful_close(stream);
            }
            if (ec) co_return co_await graceful_close(stream);
            const bool keep_alive = req.keep_alive() && !st->stopped && !over_cap;
            response res;
            if (over_cap) {
                res = answer(*st, 503, "too many connections", version, false);
            } else if (!authorised(*st, req.target())) {
                res = answer(*st, 404, "not found", version, keep_alive);
            } else if (req.method() != http::verb::post) {
                res = answer(*st, 405, "POST only", version, keep_alive);
                res.set(http::field::allow, "POST");
            } else if (st->storing >= st->opts.max_concurrent) {
                res = answer(*st, 503, "busy", version, keep_alive);
            } else {
                if (!detail::is_json_object(req.body())) {
                    res = answer(*st, 400, "the body is not a JSON object", version, keep_alive);
                } else {
                    ++st->storing;
                    auto [pec, seq] = co_await asio::async_initiate<decltype(tuple), void(error_code, std::uint64_t)>(
                        [&](auto h) { st->in.push(std::move(req.body()), intake::push_handler(std::move(h))); }, tuple);
                    --st->storing;
                    if (!pec)
                        res = answer(*st, 200, "stored", version, keep_alive);
                    else if (pec == errc::queue_full)
                        res = answer(*st, 503, "intake full", version, keep_alive);
                    else
                        res = answer(*st, 503, "intake failed", version, keep_alive);
                }
            }
            auto wec = co_await write(stream, std::move(res), st->opts.write_timeout);
            c->busy = false;
            if (wec || !keep_alive) co_return co_await graceful_close(stream);
        }
    }

    template <class Stream>
    static boost::asio::awaitable<error_code> write(Stream& stream, response res, std::chrono::seconds timeout) {
        expire(stream, timeout);
        auto [ec, n] =
            co_await boost::beast::http::async_write(stream, res, boost::asio::as_tuple(boost::asio::use_awaitable));
        co_return ec;
    }

    // Everything written reaches the peer: send our FIN, then read (and drop) what the peer still
    // sends, briefly, before closing. Closing with unread input would reset the connection and
    // could discard the answer (a 413 while the sender is still sending its body).
    static boost::asio::awaitable<void> graceful_close(boost::beast::tcp_stream& stream) {
        boost::system::error_code ec;
        stream.socket().shutdown(boost::asio::socket_base::shutdown_send, ec);
        if (!ec) {
            stream.expires_after(std::chrono::seconds(1));
            char sink[4096];
            for (std::size_t drained = 0; drained < (1u << 20);) {
                auto [rec, n] = co_await stream.async_read_some(boost::asio::buffer(sink),
                                                                boost::asio::as_tuple(boost::asio::use_awaitable));
                if (rec) break;
                drained += n;
            }
        }
        stream.close();
    }
    static boost::asio::awaitable<void> graceful_close(pancake::testing::memory_stream& stream) {
        stream.close(); // the peer still reads what was written before it, then eof
        co_return;
    }

    std::shared_ptr<state> st_;
};

} // namespace pancake::webhook
