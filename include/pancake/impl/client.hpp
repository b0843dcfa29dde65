// The body of every client operation: limiter, exchange, classification, retries.
#pragma once

#include <pancake/client.hpp>
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

} // namespace detail

template <class Wire, class T, class Map>
asio::awaitable<std::pair<error_code, T>> client::perform(std::shared_ptr<state> st, detail::request_spec spec,
                                                          call_options opts, Map map, std::string invalid) {
    using namespace asio::experimental::awaitable_operators;
    namespace bhttp = boost::beast::http;
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
    const auto whole = opts.timeout ? opts.timeout : st->cfg.call_timeout;
    // Saturated: a huge per-call timeout means "no deadline", not an overflow.
    const bool bounded =
        whole && *whole < std::chrono::duration_cast<std::chrono::milliseconds>(clock::time_point::max() - start);
    const auto deadline = bounded ? start + *whole : clock::time_point::max();
    const auto& policy = st->cfg.retry;
    auto limiter = spec.page.value().empty() ? nullptr : st->limiter_for(spec.page.value());
    auto ex = co_await asio::this_coro::executor;

    bhttp::request<bhttp::string_body> req{spec.method, spec.target, 11};
    req.set(bhttp::field::host, st->origin->host);
    req.set(bhttp::field::user_agent, "pancake-cpp/0.1");
    req.set(bhttp::field::accept, "application/json");
    if (spec.method == bhttp::verb::post) {
        req.set(bhttp::field::content_type, "application/json");
        req.body() = spec.body;
    }
    req.keep_alive(true);
    req.prepare_payload();

    bool sent = false;
    for (unsigned attempt = 1;; ++attempt) {
        d.set_attempts(attempt);
        if (limiter) {
            // Awaited directly (not raced) so it sees this coroutine's cancellation filter: a
            // queued request honours terminal, partial and total cancellation alike.
            if (auto ec = co_await limiter->acquire(deadline)) {
                if (ec == errc::queue_full) co_return fail(ec, "rate limiter queue is full");
                if (ec == errc::timeout) co_return fail(ec, "the deadline passes before a rate-limit slot frees up");
                co_return fail(asio::error::operation_aborted, "cancelled while waiting for the rate limiter");
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

        const bool unknown_if_lost = spec.kind == idempotency::at_most_once && sent;
        if (xr.index() == 1 || std::get<0>(xr).ec == asio::error::operation_aborted) {
            const bool cancelled = xr.index() == 0 || std::get<0>(std::get<1>(xr));
            if (unknown_if_lost)
                co_return fail(errc::outcome_unknown, cancelled ? "cancelled after the request was sent"
                                                                : "timed out after the request was sent");
            co_return cancelled ? fail(asio::error::operation_aborted) : fail(errc::timeout, "request timed out");
        }
        auto& x = std::get<0>(xr);
        error_code ec = x.ec;
        // Untrusted: saturated while parsed, then capped by the policy wherever it is used.
        std::optional<std::chrono::seconds> retry_after;
        if (x.retry_after) retry_after = http::parse_retry_after(*x.retry_after, clk.system_now());
        if (!ec) {
            boost::json::value body;
            ec = detail::classify_response(x.status, x.body, body, d, spec.secret);
            if (!ec) {
                auto decoded = decode<Wire>(body, &d);
                if (!decoded) {
                    d.set_body_excerpt(x.body, spec.secret);
                    co_return fail(decoded.error());
                }
                if (limiter) limiter->on_success();
                co_return std::pair<error_code, T>{error_code{}, map(std::move(*decoded))};
            }
            // The page's hold is capped like the retry wait: an uncapped Retry-After: 86400 would
            // block every later call on this page for a day.
            if (ec == errc::rate_limited && limiter)
                limiter->penalize(policy.capped_retry_after(retry_after.value_or(std::chrono::seconds(1))));
        }

        const bool retry = attempt < policy.max_attempts && retry_policy::retryable(ec, spec.kind, sent);
        if (!retry) {
            if (unknown_if_lost && (ec == errc::connection_lost || ec == errc::server_error)) {
                co_return fail(errc::outcome_unknown, "no reliable answer after the message was sent");
            }
            co_return fail(ec);
        }
        const auto delay = policy.backoff(attempt, retry_after, st->rng);
        const auto resume = clk.now() + delay;
        if (resume >= deadline || resume - start > policy.total_deadline) co_return fail(ec);
        if (policy.on_retry) policy.on_retry(retry_event{attempt, ec, delay});
        auto [wec] = co_await clk.async_wait_until(ex, resume, tuple);
        if (wec) co_return fail(asio::error::operation_aborted, "cancelled during backoff");
    }
}

} // namespace pancake
