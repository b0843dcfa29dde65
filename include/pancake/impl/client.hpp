// The body of every client operation: a thin I/O driver around detail/lifecycle.hpp's decisions.
#pragma once

#include <pancake/client.hpp>
#include <pancake/detail/lifecycle.hpp>
#include <pancake/http/retry_after.hpp>

namespace pancake {

namespace detail {

/// One HTTP exchange on a pooled connection. A reused keep-alive connection that turns out to
/// be dead is replaced once for safe requests (the server closed it while idle).
inline asio::awaitable<http::exchange_result>
exchange_once(http::connection_pool& pool, const boost::beast::http::request<boost::beast::http::string_body>& req,
              std::size_t max_body, idempotency kind, bool& sent, diagnostics& diag) {
    for (int round = 0;; ++round) {
        auto [cec, conn] = co_await pool.acquire(round > 0);
        if (cec) {
            // TLS failures (bad certificate, …) are final and keep their own code; other
            // connect failures are connection_lost, which the retry policy may retry.
            http::exchange_result r;
            const bool final_error = cec == asio::error::operation_aborted ||
                                     cec.category() == asio::error::get_ssl_category() ||
                                     cec.category() == asio::ssl::error::get_stream_category();
            r.ec = final_error ? cec : make_error_code(errc::connection_lost);
            diag.set_client_message("cannot connect: " + cec.message());
            co_return r;
        }
        auto r = co_await conn->exchange(req, max_body);
        sent = sent || r.sent;
        if (!r.problem.empty()) diag.set_client_message(r.problem);
        const bool stale = r.ec == errc::connection_lost && conn->reused && round == 0 && !r.response_started;
        if (!r.ec) pool.release(std::move(conn));
        if (stale && kind == idempotency::safe) continue;
        co_return r;
    }
}

/// The request every attempt sends, unchanged between attempts.
inline boost::beast::http::request<boost::beast::http::string_body> make_request(const std::string& host,
                                                                                 const request_spec& spec) {
    namespace bhttp = boost::beast::http;
    bhttp::request<bhttp::string_body> req{spec.method, spec.target, 11};
    req.set(bhttp::field::host, host);
    req.set(bhttp::field::user_agent, "pancake-cpp/0.1");
    req.set(bhttp::field::accept, "application/json");
    if (spec.method == bhttp::verb::post) {
        req.set(bhttp::field::content_type, "application/json");
        req.body() = spec.body;
    }
    req.keep_alive(true);
    req.prepare_payload();
    return req;
}

/// How an attempt ended, from the race of exchange_once against the attempt's deadline. An
/// answer is classified and, when it is a success, decoded into `value`.
template <class Wire, class Race>
attempt_outcome read_outcome(Race& xr, bool sent, const clock& clk, diagnostics& d, const std::string& secret,
                             std::optional<Wire>& value) {
    attempt_outcome out;
    out.sent = sent;
    if (xr.index() == 1) {
        out.end = std::get<0>(std::get<1>(xr)) ? attempt_end::cancelled : attempt_end::timed_out;
        return out;
    }
    auto& x = std::get<0>(xr);
    if (x.ec == asio::error::operation_aborted) {
        out.end = attempt_end::cancelled;
        return out;
    }
    // Untrusted: saturated while parsed, then capped by the policy wherever it is used.
    if (x.retry_after) out.retry_after = http::parse_retry_after(*x.retry_after, clk.system_now());
    out.end = x.ec ? attempt_end::transport_error : attempt_end::response;
    out.ec = x.ec;
    if (out.ec) return out;
    boost::json::value body;
    out.ec = classify_response(x.status, x.body, body, d, secret);
    if (out.ec) return out;
    if (auto decoded = decode<Wire>(body, &d)) {
        value.emplace(std::move(*decoded));
    } else {
        d.set_body_excerpt(x.body, secret);
        out.end = attempt_end::undecodable;
        out.ec = decoded.error();
    }
    return out;
}

} // namespace detail

template <class Wire, class T, class Map>
asio::awaitable<std::pair<error_code, T>> client::perform(std::shared_ptr<state> st, detail::request_spec spec,
                                                          call_options opts, Map map, std::string invalid) {
    using namespace asio::experimental::awaitable_operators;
    using action = detail::decision::action;
    constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
    // Until the request is on the wire, any kind of cancellation is clean.
    co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());

    diagnostics local;
    diagnostics& d = opts.diag ? *opts.diag : local;
    d.clear();
    auto fail = [&](error_code ec, std::string msg = {}) {
        if (!msg.empty()) d.set_client_message(std::move(msg));
        return std::pair<error_code, T>{ec, T{}};
    };
    if (!st->origin) co_return fail(errc::invalid_argument, "base_url is not an http(s) URL");
    if (spec.target.empty())
        co_return fail(errc::invalid_argument, "unknown page: register it with add_page(page, token) first");
    d.set_url(st->origin->url(spec.target));
    if (!invalid.empty()) co_return fail(errc::invalid_argument, std::move(invalid));

    auto& clk = *st->clk;
    const auto start = clk.now();
    const auto deadline = detail::call_deadline(start, opts.timeout ? opts.timeout : st->cfg.call_timeout);
    const auto& policy = st->cfg.retry;
    auto limiter = spec.page.value().empty() ? nullptr : st->limiter_for(spec.page.value());
    auto ex = co_await asio::this_coro::executor;
    const auto req = detail::make_request(st->origin->host, spec);

    bool sent = false;
    for (unsigned attempt = 1;; ++attempt) {
        d.set_attempts(attempt);
        if (limiter) {
            // Awaited directly (not raced) so it sees this coroutine's cancellation filter: a
            // queued request honours terminal, partial and total cancellation alike.
            if (auto ec = co_await limiter->acquire(deadline)) {
                auto refused = detail::limiter_refused(ec);
                co_return fail(refused.ec, std::move(refused.message));
            }
        }
        const auto attempt_deadline = std::min(deadline, clk.now() + st->cfg.request_timeout);

        // On the wire: only terminal cancellation now, and it discards the connection.
        co_await asio::this_coro::reset_cancellation_state(asio::enable_terminal_cancellation());
        ++st->in_flight;
        auto xr = co_await (detail::exchange_once(*st->pool, req, st->cfg.max_response_body, spec.kind, sent, d) ||
                            clk.async_wait_until(ex, attempt_deadline, tuple));
        --st->in_flight;
        co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());

        std::optional<Wire> value;
        const auto out = detail::read_outcome<Wire>(xr, sent, clk, d, spec.secret, value);

        const auto next = detail::decide(out, {spec.kind, attempt, start, clk.now(), deadline}, policy, st->rng);
        if (limiter && next.limiter.penalize) limiter->penalize(*next.limiter.penalize);
        if (limiter && next.limiter.success) limiter->on_success();
        if (next.what == action::succeed) co_return std::pair<error_code, T>{error_code{}, map(std::move(*value))};
        if (next.what == action::fail) co_return fail(next.ec, next.message);
        if (policy.on_retry) policy.on_retry(retry_event{attempt, next.ec, next.delay});
        auto [wec] = co_await clk.async_wait_until(ex, next.resume, tuple);
        if (wec) co_return fail(asio::error::operation_aborted, "cancelled during backoff");
    }
}

} // namespace pancake
