// Reads one conversation's current state. The public API has no GET for a single conversation
// (pancake-api.md §4.3: the path answers the web app's HTML), so it walks the v2 listing, newest
// first, with the last_conversation_id cursor until the id shows up. A conversation being worked
// on was updated lately and so sits on the first page: one request, most of the time.
#pragma once

#include <pancake/client.hpp>
#include <pancake/workflow/state_error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstddef>
#include <utility>

namespace pancake::workflow::detail {

/// The listing's page size: a shorter page is the last one.
inline constexpr std::size_t listing_page_size = 60;

inline asio::awaitable<std::pair<error_code, conversation>>
read_conversation(client& api, page_id page, conversation_id conv, std::size_t max_pages) {
    conversation_query q;
    for (std::size_t n = 0; n < max_pages; ++n) {
        auto [ec, list] = co_await api.async_list_conversations(page, q, asio::as_tuple(asio::use_awaitable));
        if (ec) co_return std::pair<error_code, conversation>(ec, {});
        for (auto& c : list.conversations)
            if (c.id == conv) co_return std::pair<error_code, conversation>({}, std::move(c));
        if (list.conversations.size() < listing_page_size) break;
        q.last_conversation_id = list.conversations.back().id;
    }
    co_return std::pair<error_code, conversation>(state_error::conversation_not_found, {});
}

} // namespace pancake::workflow::detail
