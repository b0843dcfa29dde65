// pancake::client: one async_* operation per endpoint, in Asio's universal model.
//
//   auto tags = co_await api.async_list_tags(page);                         // throws on error
//   auto [ec, r] = co_await api.async_add_tag(page, conv, tag_id{1}, asio::as_tuple(asio::deferred));
//   api.async_mark_read(page, conv, diag, [](error_code ec, status_result) { ... });
//
// Every operation: signature void(error_code, T); default token with_diagnostics(deferred), so
// a plain co_await throws error_with_diagnostics; an overload taking call_options (diagnostics,
// per-call timeout; a diagnostics& converts implicitly).
//
// Cancellation (per-operation, via the token's cancellation slot):
//  - terminal, partial and total while the request waits for the rate limiter or a backoff:
//    nothing was sent, the operation ends with operation_aborted;
//  - terminal only once the request is on the wire: the connection is discarded; for a message
//    send the result is outcome_unknown (it may have been delivered).
// After a cancel or timeout the client stays usable.
#pragma once

#include <pancake/clock.hpp>
#include <pancake/detail/classify.hpp>
#include <pancake/diagnostics.hpp>
#include <pancake/http/connection_pool.hpp>
#include <pancake/http/endpoint.hpp>
#include <pancake/json.hpp>
#include <pancake/rate_limiter.hpp>
#include <pancake/retry_policy.hpp>
#include <pancake/types.hpp>
#include <pancake/with_diagnostics.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/json/serialize.hpp>

#include <map>
#include <memory>
#include <random>

namespace pancake {

namespace asio = boost::asio;

struct client_config {
    /// "https://pages.fm" (default), or the simulator's "http://127.0.0.1:PORT". A BASE like the
    /// seed article's ".../api/public_api/v1" is accepted too.
    std::string base_url = "https://pages.fm";
    std::chrono::milliseconds request_timeout{30000}; ///< each attempt on the wire
    /// Whole call (queueing, retries, backoff) unless call_options::timeout says otherwise;
    /// none by default: the limiter's queue bound and the retry policy bound it already.
    std::optional<std::chrono::milliseconds> call_timeout;
    rate_limit_config rate_limit;
    pancake::retry_policy retry;
    http::pool_config pool;
    std::size_t max_response_body = 16 << 20;
    /// TLS settings; default: system CA store, peer verification, SNI.
    std::shared_ptr<asio::ssl::context> tls;
    /// Time source for the limiter, backoff and timeouts; default real time.
    pancake::clock* clock = nullptr;
    std::uint64_t jitter_seed = std::random_device{}();
};

/// Per-call settings. Implicit from diagnostics& so `async_x(args, diag, token)` reads naturally.
struct call_options {
    call_options() = default;
    call_options(diagnostics& d) : diag(&d) {} // NOLINT(google-explicit-constructor)
    diagnostics* diag = nullptr;
    std::optional<std::chrono::milliseconds> timeout; ///< whole-call deadline (overrides call_timeout)
};

/// The v2 conversation listing's query (one call: at most 60, newest first).
struct conversation_query {
    std::optional<conversation_id> last_conversation_id; ///< cursor: the last id of the previous page
    std::vector<tag_id> tags;                            ///< AND filter
    std::optional<std::string> type;                     ///< one of INBOX, COMMENT, COMMENT_LIVESTREAM, POST
    std::vector<std::string> post_ids;                   ///< required with type POST
    std::optional<std::int64_t> since, until;            ///< unix seconds
    bool order_by_inserted_at = false;                   ///< filter/sort on inserted_at, not updated_at
    bool unread_first = false;
};

namespace detail {

struct request_spec {
    boost::beast::http::verb method;
    std::string target; ///< origin-form, token included: never logged as is
    std::string body;
    std::string secret; ///< the token, for redaction of echoed text
    page_id page;       ///< limiter key (empty for the user-token API)
    idempotency kind = idempotency::safe;
};

template <class Token>
inline constexpr bool is_token_v = !std::is_convertible_v<Token, call_options>;

} // namespace detail

class client {
public:
    using executor_type = asio::any_io_executor;

    explicit client(executor_type ex, client_config cfg = {})
        : ex_(std::move(ex)), st_(std::make_shared<state>(std::move(cfg))) {}

    executor_type get_executor() const noexcept { return ex_; }

    /// Registers a page and its page_access_token (kept in memory only, never logged).
    void add_page(const page_id& page, std::string page_access_token) {
        st_->tokens[page.value()] = std::move(page_access_token);
    }
    /// The same, with the page's platform ("facebook", "instagram", … as GET /api/v1/pages says):
    /// sends check the content_ids cap of that platform. Unknown: "facebook" (the widest cap but one).
    void add_page(const page_id& page, std::string page_access_token, std::string platform) {
        add_page(page, std::move(page_access_token));
        st_->platforms[page.value()] = std::move(platform);
    }
    /// Shares one limiter between clients (or pages): pass the same pointer to each.
    void set_limiter(const page_id& page, std::shared_ptr<rate_limiter> l) {
        st_->limiters[page.value()] = std::move(l);
    }
    std::shared_ptr<rate_limiter> limiter(const page_id& page) { return st_->limiter_for(page.value()); }

    std::size_t connections_opened() const noexcept { return st_->pool ? st_->pool->connections_opened() : 0; }
    /// Requests on the wire or connecting (not those queued for the limiter or a pool slot).
    std::size_t requests_in_flight() const noexcept { return st_->in_flight - (st_->pool ? st_->pool->waiting() : 0); }
    const client_config& config() const noexcept { return st_->cfg; }

    // clang-format off
    template <class CompletionToken = default_token_t> requires detail::is_token_v<CompletionToken>
    auto async_list_tags(const page_id& page, CompletionToken&& token = {}) { return async_list_tags(page, call_options{}, std::forward<CompletionToken>(token)); }
    template <class CompletionToken = default_token_t>
    auto async_list_tags(const page_id& page, call_options o, CompletionToken&& token = {}) {
        return run<tag_list>(get_v1(page, "tags"), o, std::forward<CompletionToken>(token), [](tag_list l) { return std::move(l.tags); });
    }

    template <class CompletionToken = default_token_t> requires detail::is_token_v<CompletionToken>
    auto async_list_users(const page_id& page, CompletionToken&& token = {}) { return async_list_users(page, call_options{}, std::forward<CompletionToken>(token)); }
    template <class CompletionToken = default_token_t>
    auto async_list_users(const page_id& page, call_options o, CompletionToken&& token = {}) {
        return run<users_snapshot>(get_v1(page, "users"), o, std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = default_token_t> requires detail::is_token_v<CompletionToken>
    auto async_set_round_robin_users(const page_id& page, const round_robin_update& u, CompletionToken&& token = {}) { return async_set_round_robin_users(page, u, call_options{}, std::forward<CompletionToken>(token)); }
    template <class CompletionToken = default_token_t>
    auto async_set_round_robin_users(const page_id& page, const round_robin_update& u, call_options o, CompletionToken&& token = {}) {
        return run<round_robin_result>(post_v1(page, "round_robin_users", encode_string(u)), o, std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = default_token_t> requires detail::is_token_v<CompletionToken>
    auto async_add_tag(const page_id& page, const conversation_id& conv, tag_id t, CompletionToken&& token = {}) { return async_add_tag(page, conv, t, call_options{}, std::forward<CompletionToken>(token)); }
    template <class CompletionToken = default_token_t>
    auto async_add_tag(const page_id& page, const conversation_id& conv, tag_id t, call_options o, CompletionToken&& token = {}) {
        return run<tag_update_result>(post_conv(page, conv, "tags", encode_string(tag_request{"add", t})), o, std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = default_token_t> requires detail::is_token_v<CompletionToken>
    auto async_remove_tag(const page_id& page, const conversation_id& conv, tag_id t, CompletionToken&& token = {}) { return async_remove_tag(page, conv, t, call_options{}, std::forward<CompletionToken>(token)); }
    template <class CompletionToken = default_token_t>
    auto async_remove_tag(const page_id& page, const conversation_id& conv, tag_id t, call_options o, CompletionToken&& token = {}) {
        return run<tag_update_result>(post_conv(page, conv, "tags", encode_string(tag_request{"remove", t})), o, std::forward<CompletionToken>(token));
    }

    /// Replace semantics: `assignees` becomes the complete set ({} unassigns everyone).
    template <class CompletionToken = default_token_t> requires detail::is_token_v<CompletionToken>
    auto async_assign(const page_id& page, const conversation_id& conv, std::vector<user_id> assignees, CompletionToken&& token = {}) { return async_assign(page, conv, std::move(assignees), call_options{}, std::forward<CompletionToken>(token)); }
    template <class CompletionToken = default_token_t>
    auto async_assign(const page_id& page, const conversation_id& conv, std::vector<user_id> assignees, call_options o, CompletionToken&& token = {}) {
        return run<assign_result>(post_conv(page, conv, "assign", encode_string(assign_request{std::move(assignees)})), o, std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = default_token_t> requires detail::is_token_v<CompletionToken>
    auto async_mark_read(const page_id& page, const conversation_id& conv, CompletionToken&& token = {}) { return async_mark_read(page, conv, call_options{}, std::forward<CompletionToken>(token)); }
    template <class CompletionToken = default_token_t>
    auto async_mark_read(const page_id& page, const conversation_id& conv, call_options o, CompletionToken&& token = {}) {
        return run<status_result>(post_conv(page, conv, "read", {}), o, std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = default_token_t> requires detail::is_token_v<CompletionToken>
    auto async_mark_unread(const page_id& page, const conversation_id& conv, CompletionToken&& token = {}) { return async_mark_unread(page, conv, call_options{}, std::forward<CompletionToken>(token)); }
    template <class CompletionToken = default_token_t>
    auto async_mark_unread(const page_id& page, const conversation_id& conv, call_options o, CompletionToken&& token = {}) {
        return run<status_result>(post_conv(page, conv, "unread", {}), o, std::forward<CompletionToken>(token));
    }

    /// One call of the v2 listing: at most 60 conversations, newest first.
    template <class CompletionToken = default_token_t> requires detail::is_token_v<CompletionToken>
    auto async_list_conversations(const page_id& page, const conversation_query& q, CompletionToken&& token = {}) { return async_list_conversations(page, q, call_options{}, std::forward<CompletionToken>(token)); }
    template <class CompletionToken = default_token_t>
    auto async_list_conversations(const page_id& page, const conversation_query& q, call_options o, CompletionToken&& token = {}) {
        return run<conversation_list>(list_spec(page, q), o, std::forward<CompletionToken>(token));
    }

    /// Up to 30 messages, newest first, before index `current_count` (0: the latest).
    template <class CompletionToken = default_token_t> requires detail::is_token_v<CompletionToken>
    auto async_list_messages(const page_id& page, const conversation_id& conv, std::size_t current_count, CompletionToken&& token = {}) { return async_list_messages(page, conv, current_count, call_options{}, std::forward<CompletionToken>(token)); }
    template <class CompletionToken = default_token_t>
    auto async_list_messages(const page_id& page, const conversation_id& conv, std::size_t current_count, call_options o, CompletionToken&& token = {}) {
        auto spec = make_spec(boost::beast::http::verb::get, page, {"public_api", "v1", "pages", page.value(), "conversations", conv.value(), "messages"}, {{"current_count", std::to_string(current_count)}}, {});
        return run<message_list>(std::move(spec), o, std::forward<CompletionToken>(token));
    }

    /// Sends a message. Validated before sending; never re-sent once it may have arrived
    /// (such failures are errc::outcome_unknown).
    template <class CompletionToken = default_token_t> requires detail::is_token_v<CompletionToken>
    auto async_send_message(const page_id& page, const conversation_id& conv, const send_message_request& m, CompletionToken&& token = {}) { return async_send_message(page, conv, m, call_options{}, std::forward<CompletionToken>(token)); }
    template <class CompletionToken = default_token_t>
    auto async_send_message(const page_id& page, const conversation_id& conv, const send_message_request& m, call_options o, CompletionToken&& token = {}) {
        auto spec = post_conv(page, conv, "messages", encode_string(m));
        spec.kind = idempotency::at_most_once;
        auto pl = st_->platforms.find(page.value());
        std::string invalid = m.validate(pl == st_->platforms.end() ? "facebook" : pl->second);
        return run<send_message_result>(std::move(spec), o, std::forward<CompletionToken>(token), std::identity{}, std::move(invalid));
    }

    /// GET /api/v1/pages with a user access token.
    template <class CompletionToken = default_token_t> requires detail::is_token_v<CompletionToken>
    auto async_list_pages(std::string user_access_token, CompletionToken&& token = {}) { return async_list_pages(std::move(user_access_token), call_options{}, std::forward<CompletionToken>(token)); }
    template <class CompletionToken = default_token_t>
    auto async_list_pages(std::string user_access_token, call_options o, CompletionToken&& token = {}) {
        detail::request_spec s;
        s.method = boost::beast::http::verb::get;
        if (st_->origin) s.target = http::make_target(*st_->origin, {"v1", "pages"}, {{"access_token", user_access_token}});
        s.secret = std::move(user_access_token);
        return run<page_list>(std::move(s), o, std::forward<CompletionToken>(token), [](page_list l) { return std::move(l.pages); });
    }
    // clang-format on

private:
    struct state {
        explicit state(client_config c)
            : cfg(std::move(c)), clk(cfg.clock ? cfg.clock : &real_clock::instance()), rng(cfg.jitter_seed),
              origin(http::origin::parse(cfg.base_url)) {
            if (origin) {
                if (origin->tls && !cfg.tls) cfg.tls = http::default_tls_context();
                pool.emplace(*origin, cfg.pool, cfg.tls, *clk);
            }
        }
        client_config cfg;
        pancake::clock* clk;
        std::mt19937_64 rng;
        std::optional<http::origin> origin;
        std::optional<http::connection_pool> pool;
        std::map<std::string, std::string> tokens;
        std::map<std::string, std::string> platforms; ///< page -> platform (content_ids caps)
        std::map<std::string, std::shared_ptr<rate_limiter>> limiters;
        std::size_t in_flight = 0;

        std::shared_ptr<rate_limiter> limiter_for(const std::string& page) {
            auto& l = limiters[page];
            if (!l) l = std::make_shared<rate_limiter>(*clk, cfg.rate_limit);
            return l;
        }
    };

    detail::request_spec make_spec(boost::beast::http::verb method, const page_id& page,
                                   std::initializer_list<std::string_view> segs, std::vector<http::query_param> q,
                                   std::string body) const {
        detail::request_spec s;
        s.method = method;
        s.page = page;
        s.body = std::move(body);
        auto it = st_->tokens.find(page.value());
        if (it == st_->tokens.end() || !st_->origin) return s; // empty target: rejected in perform()
        s.secret = it->second;
        q.insert(q.begin(), {"page_access_token", it->second});
        s.target = http::make_target(*st_->origin, segs, q);
        return s;
    }
    /// GET/POST /public_api/v1/pages/{page}/{resource}
    detail::request_spec get_v1(const page_id& page, std::string_view resource) const {
        return make_spec(boost::beast::http::verb::get, page, {"public_api", "v1", "pages", page.value(), resource}, {},
                         {});
    }
    detail::request_spec post_v1(const page_id& page, std::string_view resource, std::string body) const {
        return make_spec(boost::beast::http::verb::post, page, {"public_api", "v1", "pages", page.value(), resource},
                         {}, std::move(body));
    }
    detail::request_spec post_conv(const page_id& page, const conversation_id& conv, std::string_view action,
                                   std::string body) const {
        return make_spec(boost::beast::http::verb::post, page,
                         {"public_api", "v1", "pages", page.value(), "conversations", conv.value(), action}, {},
                         std::move(body));
    }
    detail::request_spec list_spec(const page_id& page, const conversation_query& q) const {
        std::vector<http::query_param> p;
        if (q.last_conversation_id) p.emplace_back("last_conversation_id", q.last_conversation_id->value());
        if (!q.tags.empty()) {
            std::string t;
            for (auto& id : q.tags)
                t += (t.empty() ? "" : ",") + std::to_string(id.value());
            p.emplace_back("tags", t);
        }
        if (q.type) p.emplace_back("type", *q.type);
        for (auto& id : q.post_ids)
            p.emplace_back("post_ids", id);
        if (q.since) p.emplace_back("since", std::to_string(*q.since));
        if (q.until) p.emplace_back("until", std::to_string(*q.until));
        if (q.order_by_inserted_at) p.emplace_back("order_by", "inserted_at");
        if (q.unread_first) p.emplace_back("unread_first", "true");
        return make_spec(boost::beast::http::verb::get, page,
                         {"public_api", "v2", "pages", page.value(), "conversations"}, std::move(p), {});
    }

    /// Launches perform() for a response decoded as Wire and handed to the caller as map(Wire).
    template <class Wire, class CompletionToken, class Map = std::identity,
              class T = std::decay_t<std::invoke_result_t<Map&, Wire&&>>>
    auto run(detail::request_spec spec, call_options opts, CompletionToken&& token, Map map = {},
             std::string invalid = {}) {
        using token_type = std::decay_t<CompletionToken>;
        if constexpr (detail::is_with_diagnostics<token_type>::value) {
            // Same operation, completing with void(exception_ptr, T) for the wrapped token.
            using inner = detail::diagnostics_inner<typename token_type::inner_token>;
            auto inner_token = inner::get(token.token);
            return asio::async_initiate<typename inner::type, void(std::exception_ptr, T)>(
                [](auto handler, executor_type ex, std::shared_ptr<state> st, detail::request_spec spec,
                   call_options opts, Map map, std::string invalid) {
                    std::shared_ptr<diagnostics> local; // only when the caller passed none
                    if (!opts.diag) {
                        local = std::make_shared<diagnostics>();
                        opts.diag = local.get();
                    }
                    const diagnostics* diag = opts.diag;
                    auto slot = asio::get_associated_cancellation_slot(handler);
                    auto hex = asio::get_associated_executor(handler, ex);
                    auto done = [h = std::move(handler), local, diag](error_code ec, T v) mutable {
                        if (ec)
                            std::move(h)(std::make_exception_ptr(error_with_diagnostics(ec, *diag)), T{});
                        else
                            std::move(h)(std::exception_ptr(), std::move(v));
                    };
                    launch<Wire, T>(ex, std::move(st), std::move(spec), opts, std::move(map), std::move(invalid),
                                    asio::bind_cancellation_slot(slot, asio::bind_executor(hex, std::move(done))));
                },
                inner_token, ex_, st_, std::move(spec), opts, std::move(map), std::move(invalid));
        } else {
            return asio::async_initiate<CompletionToken, void(error_code, T)>(
                [](auto handler, executor_type ex, std::shared_ptr<state> st, detail::request_spec spec,
                   call_options opts, Map map, std::string invalid) {
                    launch<Wire, T>(ex, std::move(st), std::move(spec), opts, std::move(map), std::move(invalid),
                                    std::move(handler));
                },
                token, ex_, st_, std::move(spec), opts, std::move(map), std::move(invalid));
        }
    }

    /// Runs perform() on the client's executor and completes `handler` (void(error_code, T)) on
    /// its associated executor, wiring its cancellation slot to the operation.
    template <class Wire, class T, class Map, class Handler>
    static void launch(executor_type ex, std::shared_ptr<state> st, detail::request_spec spec, call_options opts,
                       Map map, std::string invalid, Handler handler) {
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto hex = asio::get_associated_executor(handler, ex);
        asio::co_spawn(ex, perform<Wire, T>(std::move(st), std::move(spec), opts, std::move(map), std::move(invalid)),
                       asio::bind_cancellation_slot(
                           slot, asio::bind_executor(hex, [h = std::move(handler)](std::exception_ptr e,
                                                                                   std::pair<error_code, T> r) mutable {
                               if (e) r.first = make_error_code(errc::unexpected_response); // perform() does not throw
                               std::move(h)(r.first, std::move(r.second));
                           })));
    }

    template <class Wire, class T, class Map>
    static asio::awaitable<std::pair<error_code, T>> perform(std::shared_ptr<state> st, detail::request_spec spec,
                                                             call_options opts, Map map, std::string invalid);

    executor_type ex_;
    std::shared_ptr<state> st_;
};

} // namespace pancake

#include <pancake/impl/client.hpp>
