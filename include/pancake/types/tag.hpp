// Tags as GET /tags returns them, and as conversations embed them.
#pragma once

#include <pancake/types/common.hpp>

namespace pancake {

/// An entry of GET /pages/{id}/tags. Ids are integers and 0 is a valid id.
struct tag {
    tag_id id;
    std::string text;
    std::string color;
    std::string lighten_color;
};
BOOST_DESCRIBE_STRUCT(tag, (), (id, text, color, lighten_color))
PANCAKE_REQUIRED_FIELDS(tag, "id", "text")

/// The GET /tags response.
struct tag_list {
    std::vector<tag> tags;
};
BOOST_DESCRIBE_STRUCT(tag_list, (), (tags))
PANCAKE_REQUIRED_FIELDS(tag_list, "tags")

/// A tag embedded in a REST conversation (objects; webhooks carry plain ids instead).
/// Older spec revisions show bare ids or names, which decode into `id` or `text` alone.
struct conversation_tag {
    std::optional<tag_id> id;
    std::string text;
    std::optional<std::string> color;
    bool is_deactive = false;
    bool is_lead_event = false;
};
BOOST_DESCRIBE_STRUCT(conversation_tag, (), (id, text, color, is_deactive, is_lead_event))

namespace detail {
inline void read(json_reader& r, const json::value& v, conversation_tag& out) {
    if (v.is_object()) return read_object(r, v, out);
    if (v.is_number()) {
        tag_id id;
        read(r, v, id);
        out.id = id;
        return;
    }
    if (auto* s = v.if_string()) {
        std::int64_t n;
        if (parse_int(*s, n))
            out.id = tag_id(n);
        else
            out.text.assign(s->data(), s->size());
        return;
    }
    r.fail(errc::wrong_field_type);
}
} // namespace detail

} // namespace pancake
