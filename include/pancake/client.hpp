// pancake::client: one async_* operation per endpoint, in Asio's universal model.
//
//   auto tags = co_await api.async_list_tags(page);                         // throws on error
//   auto [ec, r] = co_await api.async_add_tag(page, conv, tag_id{1}, asio::as_tuple(asio::deferred));
//   api.async_mark_read(page, conv, diag, [](error_code ec, status_result) { ... });
//
// Every operation: signature void(error_code, T); default token with_diagnostics(deferred), so
// a plain co_await throws error_with_diagnostics; an overload taking call_options (diagnostics,
// deadline, retry policy; a diagnostics& converts implicitly). Each is one line over an
// endpoint descriptor (endpoints/*.hpp); async_call runs any descriptor.
//
// Cancellation (per-operation, via the token's cancellation slot):
//  - terminal, partial and total while the request waits for the rate limiter or a backoff:
//    nothing was sent, the operation ends with operation_aborted;
//  - terminal only once the request is on the wire: the connection is discarded; for a message
//    send the result is outcome_unknown (it may have been delivered).
// After a cancel or timeout the client stays usable. A client is move-only; use it from one
// executor (or strand).
#pragma once

#include <pancake/call_options.hpp>
#include <pancake/client_config.hpp>
#include <pancake/detail/call.hpp>
#include <pancake/endpoints.hpp>
#include <pancake/json.hpp>
#include <pancake/with_diagnostics.hpp>

#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/json/serialize.hpp>

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace pancake {

namespace asio = boost::asio;

namespace detail {

template <class Token>
inline constexpr bool is_token_v = !std::is_convertible_v<Token, call_options>;

template <class Endpoint>
typename Endpoint::result_type to_result(typename Endpoint::response_type&& r) {
    if constexpr (requires { Endpoint::to_result(std::move(r)); })
        return Endpoint::to_result(std::move(r));
    else
        return std::move(r);
}

/// Completes the caller's handler with the answer decoded as the endpoint's result.
template <class Endpoint, class Handler>
struct decoding_handler {
    Handler handler;
    diagnostics* diag;
    std::shared_ptr<const request> req; ///< its secret is redacted from a body excerpt
    std::shared_ptr<const client_state> st;

    void operator()(error_code ec, boost::json::value body) {
        using result_type = typename Endpoint::result_type;
        if (ec) return std::move(handler)(ec, result_type{});
        auto decoded = decode<typename Endpoint::response_type>(body, diag);
        if (!decoded) {
            if (diag) {
                diag->set_body_excerpt(boost::json::serialize(body), req->secret);
                note_url(*diag, *st, *req);
            }
            return std::move(handler)(decoded.error(), result_type{});
        }
        std::move(handler)(error_code{}, to_result<Endpoint>(std::move(*decoded)));
    }
};

/// The client's one initiation: descriptor → request → driver.
struct call_initiation {
    std::shared_ptr<client_state> st;

    template <class Handler, class Endpoint>
    void operator()(Handler&& h, call_options opts, Endpoint ep) const {
        std::shared_ptr<request> req;
        if constexpr (requires { ep.page; })
            req = std::make_shared<request>(ep.to_request(context_for(*st, ep.page)));
        else
            req = std::make_shared<request>(ep.to_request(context_for(*st, page_id())));
        start_call(st, req, opts,
                   decoding_handler<Endpoint, std::decay_t<Handler>>{std::forward<Handler>(h), opts.diag, req, st});
    }
};

/// Completes generate_page_access_token: the new token replaces the page's registered one first.
template <class Handler>
struct token_refresh_handler {
    Handler handler;
    std::shared_ptr<client_state> st;
    page_id page;

    void operator()(error_code ec, std::string token) {
        if (!ec) refresh_token(*st, page, token);
        std::move(handler)(ec, std::move(token));
    }
};

struct token_refresh_initiation {
    std::shared_ptr<client_state> st;

    template <class Handler>
    void operator()(Handler&& h, call_options opts, endpoints::generate_page_access_token ep) const {
        auto page = ep.for_page;
        call_initiation{st}(token_refresh_handler<std::decay_t<Handler>>{std::forward<Handler>(h), st, std::move(page)},
                            opts, std::move(ep));
    }
};

} // namespace detail

class client {
public:
    using executor_type = asio::any_io_executor;

    explicit client(executor_type ex, client_config cfg = {})
        : ex_(ex), st_(detail::make_client_state(std::move(ex), std::move(cfg))) {}
    client(client&&) noexcept = default;
    client& operator=(client&&) noexcept = default;
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    executor_type get_executor() const noexcept { return ex_; }

    /// Registers a page and its page_access_token (kept in memory only, never logged).
    void add_page(const page_id& page, std::string page_access_token) {
        detail::set_token(*st_, page, std::move(page_access_token));
    }
    /// The same, with the page's platform ("facebook", "instagram", … as GET /api/v1/pages says):
    /// sends check the content_ids cap of that platform. Unknown: "facebook" (the widest cap but one).
    void add_page(const page_id& page, std::string page_access_token, std::string platform) {
        add_page(page, std::move(page_access_token));
        detail::set_platform(*st_, page, std::move(platform));
    }
    /// Shares one limiter between clients (or pages): pass the same pointer to each.
    void set_limiter(const page_id& page, std::shared_ptr<rate_limiter> l) {
        detail::set_limiter(*st_, page, std::move(l));
    }
    std::shared_ptr<rate_limiter> limiter(const page_id& page) { return detail::limiter_of(*st_, page); }

    client_stats stats() const noexcept { return detail::stats_of(*st_); }
    const client_config& config() const noexcept { return detail::config_of(*st_); }

    /// Runs any endpoint descriptor (endpoints/*.hpp): what every named operation does.
    template <class Endpoint, class CompletionToken = default_token_t>
    auto async_call(Endpoint ep, call_options opts, CompletionToken&& token = {}) {
        return asio::async_initiate<CompletionToken, void(error_code, typename Endpoint::result_type)>(
            detail::call_initiation{st_}, token, opts, std::move(ep));
    }

    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_list_tags(const page_id& page, CompletionToken&& token = {}) {
        return async_list_tags(page, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_list_tags(const page_id& page, call_options o, CompletionToken&& token = {}) {
        return async_call(endpoints::list_tags{page}, o, std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_list_users(const page_id& page, CompletionToken&& token = {}) {
        return async_list_users(page, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_list_users(const page_id& page, call_options o, CompletionToken&& token = {}) {
        return async_call(endpoints::list_users{page}, o, std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_set_round_robin_users(const page_id& page, const round_robin_update& u, CompletionToken&& token = {}) {
        return async_set_round_robin_users(page, u, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_set_round_robin_users(const page_id& page, const round_robin_update& u, call_options o,
                                     CompletionToken&& token = {}) {
        return async_call(endpoints::set_round_robin_users{page, u}, o, std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_add_tag(const page_id& page, const conversation_id& conv, tag_id t, CompletionToken&& token = {}) {
        return async_add_tag(page, conv, t, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_add_tag(const page_id& page, const conversation_id& conv, tag_id t, call_options o,
                       CompletionToken&& token = {}) {
        return async_call(endpoints::toggle_tag{page, conv, t, true}, o, std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_remove_tag(const page_id& page, const conversation_id& conv, tag_id t, CompletionToken&& token = {}) {
        return async_remove_tag(page, conv, t, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_remove_tag(const page_id& page, const conversation_id& conv, tag_id t, call_options o,
                          CompletionToken&& token = {}) {
        return async_call(endpoints::toggle_tag{page, conv, t, false}, o, std::forward<CompletionToken>(token));
    }

    /// Replace semantics: `assignees` becomes the complete set ({} unassigns everyone).
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_assign(const page_id& page, const conversation_id& conv, std::vector<user_id> assignees,
                      CompletionToken&& token = {}) {
        return async_assign(page, conv, std::move(assignees), {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_assign(const page_id& page, const conversation_id& conv, std::vector<user_id> assignees, call_options o,
                      CompletionToken&& token = {}) {
        return async_call(endpoints::assign{page, conv, std::move(assignees)}, o, std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_mark_read(const page_id& page, const conversation_id& conv, CompletionToken&& token = {}) {
        return async_mark_read(page, conv, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_mark_read(const page_id& page, const conversation_id& conv, call_options o,
                         CompletionToken&& token = {}) {
        return async_call(endpoints::mark_read{page, conv, true}, o, std::forward<CompletionToken>(token));
    }

    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_mark_unread(const page_id& page, const conversation_id& conv, CompletionToken&& token = {}) {
        return async_mark_unread(page, conv, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_mark_unread(const page_id& page, const conversation_id& conv, call_options o,
                           CompletionToken&& token = {}) {
        return async_call(endpoints::mark_read{page, conv, false}, o, std::forward<CompletionToken>(token));
    }

    /// One call of the v2 listing: at most 60 conversations, newest first.
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_list_conversations(const page_id& page, const conversation_query& q, CompletionToken&& token = {}) {
        return async_list_conversations(page, q, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_list_conversations(const page_id& page, const conversation_query& q, call_options o,
                                  CompletionToken&& token = {}) {
        return async_call(endpoints::list_conversations{page, q}, o, std::forward<CompletionToken>(token));
    }

    /// Up to 30 messages, newest first, before index `current_count` (0: the latest).
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_list_messages(const page_id& page, const conversation_id& conv, std::size_t current_count,
                             CompletionToken&& token = {}) {
        return async_list_messages(page, conv, current_count, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_list_messages(const page_id& page, const conversation_id& conv, std::size_t current_count,
                             call_options o, CompletionToken&& token = {}) {
        return async_call(endpoints::list_messages{page, conv, current_count}, o, std::forward<CompletionToken>(token));
    }

    /// Sends a message. Validated before sending; never re-sent once it may have arrived
    /// (such failures are errc::outcome_unknown).
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_send_message(const page_id& page, const conversation_id& conv, const send_message_request& m,
                            CompletionToken&& token = {}) {
        return async_send_message(page, conv, m, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_send_message(const page_id& page, const conversation_id& conv, const send_message_request& m,
                            call_options o, CompletionToken&& token = {}) {
        return async_call(endpoints::send_message{page, conv, m}, o, std::forward<CompletionToken>(token));
    }

    /// GET /api/v1/pages with a user access token.
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_list_pages(std::string user_access_token, CompletionToken&& token = {}) {
        return async_list_pages(std::move(user_access_token), {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_list_pages(std::string user_access_token, call_options o, CompletionToken&& token = {}) {
        return async_call(endpoints::list_pages{std::move(user_access_token)}, o, std::forward<CompletionToken>(token));
    }

    // ---- customers and notes, statistics, content, chat plugin, page tokens ----

    /// One page of the page's customers (at most 100); see for_each_page for all of them.
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_list_customers(const page_id& page, const customer_query& q, CompletionToken&& token = {}) {
        return async_list_customers(page, q, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_list_customers(const page_id& page, const customer_query& q, call_options o,
                              CompletionToken&& token = {}) {
        return async_call(endpoints::list_customers{page, q}, o, std::forward<CompletionToken>(token));
    }

    /// Sets the given fields of a page customer (set semantics: safe to retry).
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_update_customer(const page_id& page, const customer_id& customer, const customer_changes& changes,
                               CompletionToken&& token = {}) {
        return async_update_customer(page, customer, changes, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_update_customer(const page_id& page, const customer_id& customer, const customer_changes& changes,
                               call_options o, CompletionToken&& token = {}) {
        return async_call(endpoints::update_customer{page, customer, changes}, o, std::forward<CompletionToken>(token));
    }

    /// Adds a note; the answer carries its id and every note. Never re-sent once it may have arrived.
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_add_customer_note(const page_id& page, const customer_id& customer, std::string message,
                                 CompletionToken&& token = {}) {
        return async_add_customer_note(page, customer, std::move(message), {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_add_customer_note(const page_id& page, const customer_id& customer, std::string message, call_options o,
                                 CompletionToken&& token = {}) {
        return async_call(endpoints::add_customer_note{page, customer, std::move(message)}, o,
                          std::forward<CompletionToken>(token));
    }

    /// Sets a note's text.
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_update_customer_note(const page_id& page, const customer_id& customer, std::string note_id,
                                    std::string message, CompletionToken&& token = {}) {
        return async_update_customer_note(page, customer, std::move(note_id), std::move(message), {},
                                          std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_update_customer_note(const page_id& page, const customer_id& customer, std::string note_id,
                                    std::string message, call_options o, CompletionToken&& token = {}) {
        return async_call(endpoints::update_customer_note{page, customer, std::move(note_id), std::move(message)}, o,
                          std::forward<CompletionToken>(token));
    }

    /// Deletes a note.
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_delete_customer_note(const page_id& page, const customer_id& customer, std::string note_id,
                                    CompletionToken&& token = {}) {
        return async_delete_customer_note(page, customer, std::move(note_id), {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_delete_customer_note(const page_id& page, const customer_id& customer, std::string note_id,
                                    call_options o, CompletionToken&& token = {}) {
        return async_call(endpoints::delete_customer_note{page, customer, std::move(note_id)}, o,
                          std::forward<CompletionToken>(token));
    }

    /// statistics/pages_campaigns over [since, until] (UTC unix seconds).
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_campaign_statistics(const page_id& page, std::int64_t since, std::int64_t until,
                                   CompletionToken&& token = {}) {
        return async_campaign_statistics(page, since, until, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_campaign_statistics(const page_id& page, std::int64_t since, std::int64_t until, call_options o,
                                   CompletionToken&& token = {}) {
        return async_call(endpoints::get_campaign_statistics{page, since, until}, o,
                          std::forward<CompletionToken>(token));
    }

    /// statistics/ads over [since, until], per ad or per time bucket.
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_ad_statistics(const page_id& page, std::int64_t since, std::int64_t until, ads_grouping grouping,
                             CompletionToken&& token = {}) {
        return async_ad_statistics(page, since, until, grouping, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_ad_statistics(const page_id& page, std::int64_t since, std::int64_t until, ads_grouping grouping,
                             call_options o, CompletionToken&& token = {}) {
        return async_call(endpoints::get_ad_statistics{page, since, until, grouping}, o,
                          std::forward<CompletionToken>(token));
    }

    /// statistics/customer_engagements over a range in the page's local time.
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_engagement_statistics(const page_id& page, const engagement_query& q, CompletionToken&& token = {}) {
        return async_engagement_statistics(page, q, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_engagement_statistics(const page_id& page, const engagement_query& q, call_options o,
                                     CompletionToken&& token = {}) {
        return async_call(endpoints::get_engagement_statistics{page, q}, o, std::forward<CompletionToken>(token));
    }

    /// statistics/pages over [since, until] (UTC unix seconds), per hour.
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_page_statistics(const page_id& page, std::int64_t since, std::int64_t until,
                               CompletionToken&& token = {}) {
        return async_page_statistics(page, since, until, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_page_statistics(const page_id& page, std::int64_t since, std::int64_t until, call_options o,
                               CompletionToken&& token = {}) {
        return async_call(endpoints::get_page_statistics{page, since, until}, o, std::forward<CompletionToken>(token));
    }

    /// statistics/tags over [since, until]: tags applied per local day.
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_tag_statistics(const page_id& page, std::int64_t since, std::int64_t until,
                              CompletionToken&& token = {}) {
        return async_tag_statistics(page, since, until, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_tag_statistics(const page_id& page, std::int64_t since, std::int64_t until, call_options o,
                              CompletionToken&& token = {}) {
        return async_call(endpoints::get_tag_statistics{page, since, until}, o, std::forward<CompletionToken>(token));
    }

    /// statistics/users over a range in the page's local time: each staff member's work.
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_user_statistics(const page_id& page, const local_range& range, CompletionToken&& token = {}) {
        return async_user_statistics(page, range, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_user_statistics(const page_id& page, const local_range& range, call_options o,
                               CompletionToken&& token = {}) {
        return async_call(endpoints::get_user_statistics{page, range}, o, std::forward<CompletionToken>(token));
    }

    /// One page of the page's posts (at most 30).
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_list_posts(const page_id& page, const post_query& q, CompletionToken&& token = {}) {
        return async_list_posts(page, q, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_list_posts(const page_id& page, const post_query& q, call_options o, CompletionToken&& token = {}) {
        return async_call(endpoints::list_posts{page, q}, o, std::forward<CompletionToken>(token));
    }

    /// One page of a SIP package's call logs (at most 30).
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_list_call_logs(const page_id& page, const call_log_query& q, CompletionToken&& token = {}) {
        return async_list_call_logs(page, q, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_list_call_logs(const page_id& page, const call_log_query& q, call_options o,
                              CompletionToken&& token = {}) {
        return async_call(endpoints::list_call_logs{page, q}, o, std::forward<CompletionToken>(token));
    }

    /// Conversations that came from ads: 60 per call from q.offset.
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_export_ad_conversations(const page_id& page, const ad_conversation_query& q,
                                       CompletionToken&& token = {}) {
        return async_export_ad_conversations(page, q, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_export_ad_conversations(const page_id& page, const ad_conversation_query& q, call_options o,
                                       CompletionToken&& token = {}) {
        return async_call(endpoints::export_ad_conversations{page, q}, o, std::forward<CompletionToken>(token));
    }

    /// Uploads a file (multipart); the id goes into a send's content_ids. Never re-sent once it may have arrived.
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_upload_content(const page_id& page, endpoints::upload_source source, CompletionToken&& token = {}) {
        return async_upload_content(page, std::move(source), {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_upload_content(const page_id& page, endpoints::upload_source source, call_options o,
                              CompletionToken&& token = {}) {
        return async_call(endpoints::upload_content{page, std::move(source)}, o, std::forward<CompletionToken>(token));
    }

    /// The chat plugin's view of a web conversation, from `offset` (no token).
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_list_chat_plugin_messages(std::string plugin_page, const conversation_id& conv, std::int64_t offset,
                                         CompletionToken&& token = {}) {
        return async_list_chat_plugin_messages(std::move(plugin_page), conv, offset, {},
                                               std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_list_chat_plugin_messages(std::string plugin_page, const conversation_id& conv, std::int64_t offset,
                                         call_options o, CompletionToken&& token = {}) {
        return async_call(endpoints::list_chat_plugin_messages{std::move(plugin_page), conv, offset}, o,
                          std::forward<CompletionToken>(token));
    }

    /// A web visitor's message through the chat plugin (no token). Never re-sent once it may have arrived.
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_send_chat_plugin_message(std::string plugin_page, const chat_plugin_send& m,
                                        CompletionToken&& token = {}) {
        return async_send_chat_plugin_message(std::move(plugin_page), m, {}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_send_chat_plugin_message(std::string plugin_page, const chat_plugin_send& m, call_options o,
                                        CompletionToken&& token = {}) {
        return async_call(endpoints::send_chat_plugin_message{std::move(plugin_page), m}, o,
                          std::forward<CompletionToken>(token));
    }

    /// POST /api/v1/pages/{page}/generate_page_access_token with a user access token: completes
    /// with the new page token. The old one stops working at once, so when `page` is registered
    /// with this client its token is replaced before the handler runs.
    template <class CompletionToken = default_token_t>
    requires detail::is_token_v<CompletionToken>
    auto async_generate_page_access_token(const page_id& page, std::string user_access_token,
                                          CompletionToken&& token = {}) {
        return async_generate_page_access_token(page, std::move(user_access_token), {},
                                                std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_token_t>
    auto async_generate_page_access_token(const page_id& page, std::string user_access_token, call_options o,
                                          CompletionToken&& token = {}) {
        return asio::async_initiate<CompletionToken, void(error_code, std::string)>(
            detail::token_refresh_initiation{st_}, token, o,
            endpoints::generate_page_access_token{page, std::move(user_access_token)});
    }

private:
    executor_type ex_;
    std::shared_ptr<detail::client_state> st_;
};

} // namespace pancake

/// The decoding step keeps the caller's executor, allocator and cancellation slot.
template <template <class, class> class Associator, class Endpoint, class Handler, class DefaultCandidate>
struct boost::asio::associator<Associator, pancake::detail::decoding_handler<Endpoint, Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
    static typename Associator<Handler, DefaultCandidate>::type
    get(const pancake::detail::decoding_handler<Endpoint, Handler>& h) noexcept {
        return Associator<Handler, DefaultCandidate>::get(h.handler);
    }
    static auto get(const pancake::detail::decoding_handler<Endpoint, Handler>& h, const DefaultCandidate& c) noexcept
        -> decltype(Associator<Handler, DefaultCandidate>::get(h.handler, c)) {
        return Associator<Handler, DefaultCandidate>::get(h.handler, c);
    }
};

/// The refresh step keeps the caller's executor, allocator and cancellation slot.
template <template <class, class> class Associator, class Handler, class DefaultCandidate>
struct boost::asio::associator<Associator, pancake::detail::token_refresh_handler<Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
    static typename Associator<Handler, DefaultCandidate>::type
    get(const pancake::detail::token_refresh_handler<Handler>& h) noexcept {
        return Associator<Handler, DefaultCandidate>::get(h.handler);
    }
    static auto get(const pancake::detail::token_refresh_handler<Handler>& h, const DefaultCandidate& c) noexcept
        -> decltype(Associator<Handler, DefaultCandidate>::get(h.handler, c)) {
        return Associator<Handler, DefaultCandidate>::get(h.handler, c);
    }
};

#ifdef PANCAKE_HEADER_ONLY
#include <pancake/impl/call.ipp>
#endif
