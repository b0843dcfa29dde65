// The call driver: a thin I/O loop around detail/lifecycle.hpp's decisions. Compiled once in
// <pancake/src.hpp> with PANCAKE_SEPARATE_COMPILATION, inline otherwise.
#pragma once

#include <pancake/detail/call.hpp>
#include <pancake/detail/classify.hpp>
#include <pancake/detail/client_state.hpp>
#include <pancake/detail/deadline_queue.hpp>
#include <pancake/detail/lifecycle.hpp>
#include <pancake/http/outgoing_request.hpp>
#include <pancake/http/retry_after.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>

namespace pancake::detail {

namespace asio = boost::asio;

/// One call's shared state: the caller's cancellation is forwarded to `call`, which is what the
/// driver's operations see; and the current attempt's deadline, in the client's deadline_queue.
/// When it passes, the connection the attempt holds is closed (or, before it holds one, the
/// acquire is cancelled). Closing is state, not an event: an exchange that is between two
/// operations then fails at its next one, so no expiry is lost, and no second coroutine races
/// the exchange.
struct call_frame final : deadline_queue::entry {
    asio::cancellation_signal call;
    http::connection* conn = nullptr; ///< held by the current attempt
    bool expired = false;
    bool on_wire = false; ///< connecting or exchanging: only terminal cancellation is honoured

    /// The caller's cancellation. On the wire only terminal passes, and it discards the
    /// connection. Filtered here rather than by resetting the coroutine's cancellation state
    /// around each exchange: a reset costs an allocation, and this runs only when cancelling.
    void cancel(asio::cancellation_type t) {
        if (on_wire) {
            t = t & asio::cancellation_type::terminal;
            if (t == asio::cancellation_type::none) return;
            if (conn) conn->close();
        }
        call.emit(t);
    }
    void on_deadline() override {
        expired = true;
        if (conn)
            conn->close();
        else
            call.emit(asio::cancellation_type::terminal);
    }
};

/// One HTTP exchange on a pooled connection. A reused keep-alive connection that turns out to
/// be dead is replaced once for safe requests (the server closed it while idle). The replay takes
/// a rate-limit slot of its own: the client cannot tell an idle close from a server that counted
/// the request and then lost the connection, and the second case must not trip the server's limit.
inline asio::awaitable<http::exchange_result> exchange_once(call_frame& f, http::connection_pool& pool,
                                                            const http::outgoing_request& req, std::size_t max_body,
                                                            idempotency kind, bool& sent, bool& replayed,
                                                            diagnostics& d, rate_limiter* limiter,
                                                            lifecycle_time deadline) {
    for (int round = 0;; ++round) {
        std::unique_ptr<http::connection> conn;
        if (round == 0) conn = pool.try_take_idle(); // the common case: no coroutine, no wait
        if (!conn) {
            auto [cec, c] = co_await pool.acquire(round > 0);
            if (!cec && f.expired) cec = asio::error::operation_aborted; // expired between two steps
            if (cec) {
                // TLS failures (bad certificate, …) are final and keep their own code; other
                // connect failures are connection_lost, which the retry policy may retry.
                http::exchange_result r;
                const bool final_error = cec == asio::error::operation_aborted ||
                                         cec.category() == asio::error::get_ssl_category() ||
                                         cec.category() == asio::ssl::error::get_stream_category();
                r.ec = final_error ? cec : make_error_code(errc::connection_lost);
                if (!f.expired) d.set_client_message("cannot connect: " + cec.message());
                co_return r;
            }
            conn = std::move(c);
        }
        f.conn = conn.get();
        auto r = co_await conn->exchange(req, max_body);
        f.conn = nullptr;
        // Closed by the timeout or by the caller's terminal cancellation: the next operation on
        // the closed stream may report something else (bad_descriptor, eof).
        if (r.ec &&
            (f.expired || (co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none))
            r.ec = asio::error::operation_aborted;
        sent = sent || r.sent;
        if (!r.problem.empty()) d.set_client_message(r.problem);
        const bool stale = r.ec == errc::connection_lost && conn->reused && round == 0 && !r.response_started;
        if (!r.ec) pool.release(std::move(conn)); // dropped there if the timeout closed it meanwhile
        if (stale && kind == idempotency::safe) {
            // A write's lost round may have applied: if the call fails, its outcome must say so.
            replayed = replayed || req.method != boost::beast::http::verb::get;
            if (!limiter || limiter->try_acquire()) continue;
            conn.reset(); // dead: give its pool slot back while waiting
            error_code lec;
            try {
                lec = co_await limiter->acquire(deadline);
            } catch (const boost::system::system_error&) {
                lec = asio::error::operation_aborted;
            }
            if (!lec) continue;
            // Cancelled or out of time while waiting: reported as such, never as a lost connection
            // that the retry policy would retry.
            if (lec == errc::timeout) f.expired = true;
            r.ec = asio::error::operation_aborted;
        }
        co_return r;
    }
}

/// The message every attempt sends, unchanged between attempts. It takes the body over: the
/// request keeps no second copy of a large upload.
inline std::optional<http::outgoing_request> make_message(const std::string& host, request& spec) {
    return http::make_outgoing_request(spec.method, spec.target, {host, "pancake-cpp/0.1", spec.content_type},
                                       std::move(spec.body));
}

/// How an attempt ended. An answer is classified and, when it is a success, its JSON is kept
/// in `body` (decoded by the caller's template).
inline attempt_outcome read_outcome(const http::exchange_result& x, bool timed_out, bool sent, const clock& clk,
                                    diagnostics& d, const std::string& secret, boost::json::value& body) {
    attempt_outcome out;
    out.sent = sent;
    if (x.ec == asio::error::operation_aborted) {
        out.end = timed_out ? attempt_end::timed_out : attempt_end::cancelled;
        return out;
    }
    // Untrusted: saturated while parsed, then capped by the policy wherever it is used.
    if (x.retry_after) out.retry_after = http::parse_retry_after(*x.retry_after, clk.system_now());
    out.end = x.ec ? attempt_end::transport_error : attempt_end::response;
    out.ec = x.ec;
    if (!out.ec) out.ec = classify_response(x.status, x.body, body, d, secret);
    return out;
}

inline asio::awaitable<std::pair<error_code, boost::json::value>> drive(std::shared_ptr<client_state> st,
                                                                        std::shared_ptr<call_frame> f,
                                                                        std::shared_ptr<request> req_ptr,
                                                                        call_options opts) {
    request& spec = *req_ptr;
    using action = decision::action;
    using result = std::pair<error_code, boost::json::value>;
    constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
    // Until the request is on the wire, any kind of cancellation is clean. A cancellation that
    // arrives between two operations must not throw here: it is read from the results.
    co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
    co_await asio::this_coro::throw_if_cancelled(false);

    diagnostics local;
    diagnostics& d = opts.diag ? *opts.diag : local;
    d.clear();
    // The URL (redacted) is diagnostics for a failure: a success does not pay for it.
    auto fail = [&](error_code ec, std::string msg = {}) {
        if (!msg.empty()) d.set_client_message(std::move(msg));
        note_url(d, *st, spec);
        return result{ec, {}};
    };
    if (spec.invalid) co_return fail(spec.invalid->code, spec.invalid->message);

    auto& clk = *st->clk;
    const auto start = clk.now();
    const auto deadline = call_deadline(start, opts.timeout ? opts.timeout : st->cfg.call_timeout);
    const auto& policy = opts.retry ? *opts.retry : st->cfg.retry;
    auto limiter = spec.page.value().empty() ? nullptr : st->limiter_for(spec.page.value());
    auto ex = co_await asio::this_coro::executor;
    const auto message = make_message(st->host_field, spec);
    // Only a target or field value with a control byte (or a space in the target) gets here:
    // the head would be split.
    if (!message) co_return fail(make_error_code(errc::invalid_argument), "request target or header not sendable");
    const auto& req = *message;

    bool sent = false, may_have_applied = false;
    for (unsigned attempt = 1;; ++attempt) {
        // A retry starts with a fresh state: what the last attempt's deadline emitted is not its own.
        if (attempt > 1) co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
        d.set_attempts(attempt);
        if (limiter && !limiter->try_acquire()) {
            // Awaited directly so it sees this coroutine's cancellation filter: a queued request
            // honours terminal, partial and total cancellation alike.
            error_code lec;
            try { // a nested coroutine throws when cancelled before its first wait
                lec = co_await limiter->acquire(deadline);
            } catch (const boost::system::system_error&) {
                lec = asio::error::operation_aborted;
            }
            if (auto ec = lec) {
                auto refused = limiter_refused(ec);
                co_return fail(refused.ec, std::move(refused.message));
            }
        }

        // On the wire: only terminal cancellation now, and it discards the connection.
        f->on_wire = true;
        ++st->on_wire;
        f->expired = false;
        st->timeouts->add(*f, std::min(deadline, clk.now() + st->cfg.request_timeout));
        bool replayed = false;
        auto x = co_await exchange_once(*f, *st->pool, req, st->cfg.max_response_body, spec.kind, sent, replayed, d,
                                        limiter.get(), deadline);
        may_have_applied = may_have_applied || replayed;
        const bool timed_out = f->expired;
        st->timeouts->remove(*f);
        --st->on_wire;
        f->on_wire = false;

        boost::json::value body;
        const auto out = read_outcome(x, timed_out, sent, clk, d, spec.secret, body);
        if (out.end == attempt_end::response && x.status == 429) ++st->rate_limited;
        const auto next =
            decide(out, {spec.kind, attempt, start, clk.now(), deadline, may_have_applied}, policy, st->rng);
        may_have_applied = may_have_applied ||
                           (x.sent && out.end != attempt_end::response && req.method != boost::beast::http::verb::get);
        if (limiter && next.limiter.penalize) limiter->penalize(*next.limiter.penalize);
        if (limiter && next.limiter.success) limiter->on_success();
        if (next.what == action::succeed) co_return result{error_code{}, std::move(body)};
        if (next.what == action::fail) co_return fail(next.ec, next.message);
        ++st->retries;
        if (policy.on_retry) policy.on_retry(retry_event{attempt, next.ec, next.delay});
        auto [wec] = co_await clk.async_wait_until(ex, next.resume, tuple);
        if (wec) co_return fail(asio::error::operation_aborted, "cancelled during backoff");
    }
}

PANCAKE_DECL void note_url(diagnostics& d, const client_state& st, const request& req) {
    if (st.origin && !req.target.empty()) d.set_url(st.origin->url(req.target));
}

PANCAKE_DECL void start_call(std::shared_ptr<client_state> st, std::shared_ptr<request> req, call_options opts,
                             call_handler h) {
    auto f = std::make_shared<call_frame>();
    if (auto slot = asio::get_associated_cancellation_slot(h); slot.is_connected())
        // On the call's executor: the coroutine's own cancellation handler otherwise posts an
        // emit that may run after the call completed (Asio 1.81 co_spawn keeps no reference).
        slot.assign([f, ex = st->ex](asio::cancellation_type t) { asio::dispatch(ex, [f, t] { f->cancel(t); }); });
    auto ex = st->ex;
    auto* diag = opts.diag;
    asio::co_spawn(ex, drive(std::move(st), f, std::move(req), opts),
                   asio::bind_cancellation_slot(
                       f->call.slot(), [h = std::move(h), f, ex, diag](
                                           std::exception_ptr e, std::pair<error_code, boost::json::value> r) mutable {
                           if (auto slot = asio::get_associated_cancellation_slot(h); slot.is_connected()) slot.clear();
                           if (e) { // drive() does not throw: a bug, reported rather than lost
                               r.first = make_error_code(errc::unexpected_response);
                               try {
                                   std::rethrow_exception(e);
                               } catch (const std::exception& x) {
                                   if (diag) diag->set_client_message(std::string("internal error: ") + x.what());
                               } catch (...) {
                               }
                           }
                           auto hex = asio::get_associated_executor(h, ex);
                           asio::dispatch(hex, asio::append(std::move(h), r.first, std::move(r.second)));
                       }));
}

PANCAKE_DECL std::shared_ptr<client_state> make_client_state(asio::any_io_executor ex, client_config cfg) {
    return std::make_shared<client_state>(std::move(ex), std::move(cfg));
}
PANCAKE_DECL endpoints::context context_for(const client_state& st, const page_id& page) {
    return st.context_for(page);
}
PANCAKE_DECL client_stats stats_of(const client_state& st) noexcept {
    client_stats s;
    s.retries = st.retries;
    s.rate_limited = st.rate_limited;
    if (!st.pool) return s;
    s.connections_opened = st.pool->connections_opened();
    s.waiting_for_connection = st.pool->waiting();
    s.requests_on_wire = st.on_wire - s.waiting_for_connection;
    return s;
}
PANCAKE_DECL const client_config& config_of(const client_state& st) noexcept { return st.cfg; }
PANCAKE_DECL void set_token(client_state& st, const page_id& page, std::string token) {
    st.tokens[page.value()] = std::move(token);
}
PANCAKE_DECL void refresh_token(client_state& st, const page_id& page, const std::string& token) {
    if (auto t = st.tokens.find(page.value()); t != st.tokens.end()) t->second = token;
}
PANCAKE_DECL void set_platform(client_state& st, const page_id& page, std::string platform) {
    st.platforms[page.value()] = std::move(platform);
}
PANCAKE_DECL void set_limiter(client_state& st, const page_id& page, std::shared_ptr<rate_limiter> l) {
    st.limiters[page.value()] = std::move(l);
}
PANCAKE_DECL std::shared_ptr<rate_limiter> limiter_of(client_state& st, const page_id& page) {
    return st.limiter_for(page.value());
}

} // namespace pancake::detail
