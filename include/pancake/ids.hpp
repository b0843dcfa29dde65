// Strong identifiers. Each id is its own type: a conversation_id can't be passed where a page_id is
// expected, and nothing converts implicitly. The wire is loose (tag ids are integers in responses
// but strings in the tag request); the JSON layer accepts both forms, the types stay strict.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace pancake {

template <class Tag, class Rep>
class basic_id {
public:
    using rep_type = Rep;
    basic_id() = default;
    explicit basic_id(Rep v) : value_(std::move(v)) {}
    template <class R = Rep, class = std::enable_if_t<std::is_same_v<R, std::string>>>
    explicit basic_id(const char* v) : value_(v) {}
    template <class R = Rep, class = std::enable_if_t<std::is_same_v<R, std::string>>>
    explicit basic_id(std::string_view v) : value_(v) {}

    const Rep& value() const noexcept { return value_; }
    friend auto operator<=>(const basic_id&, const basic_id&) = default;
    friend bool operator==(const basic_id&, const basic_id&) = default;
    friend std::ostream& operator<<(std::ostream& os, const basic_id& id) { return os << id.value_; }

private:
    Rep value_{};
};

struct page_id_tag;
struct conversation_id_tag;
struct tag_id_tag;
struct user_id_tag;
struct customer_id_tag;
struct message_id_tag;
struct post_id_tag;

/// A page ("100000000000001", or prefixed for other platforms: "tt_…", "wa_…").
using page_id = basic_id<page_id_tag, std::string>;
/// A conversation thread ("{page}_{psid}" for inbox, "{post}_{comment}" for comments).
using conversation_id = basic_id<conversation_id_tag, std::string>;
/// A tag: an integer on the wire in responses (0 is valid), a string in the add/remove request.
using tag_id = basic_id<tag_id_tag, std::int64_t>;
/// A staff user's UUID (never the fb_id).
using user_id = basic_id<user_id_tag, std::string>;
/// A customer id (global or page-customer UUID, as the field says).
using customer_id = basic_id<customer_id_tag, std::string>;
/// A message or comment id.
using message_id = basic_id<message_id_tag, std::string>;
/// A post id ("{page}_{post}").
using post_id = basic_id<post_id_tag, std::string>;

} // namespace pancake

template <class Tag, class Rep>
struct std::hash<pancake::basic_id<Tag, Rep>> {
    std::size_t operator()(const pancake::basic_id<Tag, Rep>& id) const noexcept {
        return std::hash<Rep>{}(id.value());
    }
};
