// Every page of a paged listing, one call after another, until the last page:
//
//   const endpoints::list_customers first{page, {since, until}};
//   co_await pancake::async_for_each_page(api, first,
//       [](const pancake::customer_page& p) { for (auto& c : p.customers) ...; });
//
// (The descriptor is named: GCC 12 destroys a temporary with a destructor twice when it is an
// argument in a co_await expression.)
// Page-numbered listings (customers, posts, call logs) stop on a short page or when `total` is
// reached; offset listings (conversations from ads, chat plugin messages) on a short or empty
// page. The callback may return false to stop early. Signature void(error_code, std::size_t):
// the pages delivered. Each call goes through the client (limiter, retries, deadlines); an
// error ends the walk, and the descriptor's position says where to resume.
#pragma once

#include <pancake/client.hpp>

#include <boost/asio/compose.hpp>
#include <boost/asio/deferred.hpp>

#include <cstdint>
#include <type_traits>

namespace pancake {

/// How a descriptor pages: its items, whether a page was the last, and the next position.
template <class Endpoint>
struct paging;

namespace detail {
template <class Query, class List>
bool last_numbered(const Query& q, const List& items, std::int64_t total) {
    const auto n = static_cast<std::int64_t>(items.size());
    return n == 0 || n < q.page_size || (total > 0 && q.page_number * q.page_size >= total);
}
} // namespace detail

template <>
struct paging<endpoints::list_customers> {
    static bool last(const endpoints::list_customers& e, const customer_page& r) {
        return detail::last_numbered(e.query, r.customers, r.total);
    }
    static void advance(endpoints::list_customers& e, const customer_page&) { ++e.query.page_number; }
};

template <>
struct paging<endpoints::list_posts> {
    static bool last(const endpoints::list_posts& e, const post_list& r) {
        return detail::last_numbered(e.query, r.posts, r.total);
    }
    static void advance(endpoints::list_posts& e, const post_list&) { ++e.query.page_number; }
};

template <>
struct paging<endpoints::list_call_logs> {
    static bool last(const endpoints::list_call_logs& e, const call_log_list& r) {
        return detail::last_numbered(e.query, r.data, 0);
    }
    static void advance(endpoints::list_call_logs& e, const call_log_list&) { ++e.query.page_number; }
};

template <>
struct paging<endpoints::export_ad_conversations> {
    static constexpr std::size_t per_call = 60;
    static bool last(const endpoints::export_ad_conversations&, const ad_conversation_list& r) {
        return r.data.size() < per_call;
    }
    static void advance(endpoints::export_ad_conversations& e, const ad_conversation_list& r) {
        e.query.offset += static_cast<std::int64_t>(r.data.size());
    }
};

template <>
struct paging<endpoints::list_chat_plugin_messages> {
    static bool last(const endpoints::list_chat_plugin_messages&, const chat_plugin_messages& r) {
        return r.messages.empty();
    }
    static void advance(endpoints::list_chat_plugin_messages& e, const chat_plugin_messages& r) {
        e.offset += static_cast<std::int64_t>(r.messages.size());
    }
};

namespace detail {

template <class Endpoint, class F>
struct for_each_page_op {
    client* api;
    Endpoint ep;
    F f;
    call_options opts;
    std::size_t pages = 0;

    template <class Self>
    void operator()(Self& self) {
        self.reset_cancellation_state(asio::enable_total_cancellation());
        api->async_call(ep, opts, std::move(self));
    }

    template <class Self>
    void operator()(Self& self, error_code ec, typename Endpoint::result_type page) {
        if (ec) return self.complete(ec, pages);
        ++pages;
        bool go_on = true;
        if constexpr (std::is_same_v<std::invoke_result_t<F&, const typename Endpoint::result_type&>, bool>)
            go_on = f(static_cast<const typename Endpoint::result_type&>(page));
        else
            f(static_cast<const typename Endpoint::result_type&>(page));
        if (!go_on || paging<Endpoint>::last(ep, page)) return self.complete(error_code{}, pages);
        if (self.cancelled() != asio::cancellation_type::none)
            return self.complete(asio::error::operation_aborted, pages);
        paging<Endpoint>::advance(ep, page);
        api->async_call(ep, opts, std::move(self));
    }
};

} // namespace detail

/// Calls `f(const page&)` for each page of a paged listing, from the descriptor's position
/// (page_number or offset) to the last page. `f` returning false stops after that page.
/// The default token is asio::deferred (a failed call's diagnostics go to `opts.diag`).
template <class Endpoint, class F, class CompletionToken = asio::deferred_t>
auto async_for_each_page(client& api, Endpoint first, F f, call_options opts, CompletionToken&& token = {}) {
    return asio::async_compose<CompletionToken, void(error_code, std::size_t)>(
        detail::for_each_page_op<Endpoint, F>{&api, std::move(first), std::move(f), opts}, token, api.get_executor());
}

template <class Endpoint, class F, class CompletionToken = asio::deferred_t>
requires detail::is_token_v<CompletionToken>
auto async_for_each_page(client& api, Endpoint first, F f, CompletionToken&& token = {}) {
    return async_for_each_page(api, std::move(first), std::move(f), call_options{},
                               std::forward<CompletionToken>(token));
}

} // namespace pancake
