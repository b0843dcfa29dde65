// What the model's handler files share (internal to the simulator): the per-request context,
// the body decoding every POST handler opens with, and the time and JSON shapes they all use.
#pragma once

#include "request_target.hpp"
#include "world.hpp"

#include <pancake/json.hpp>

#include <boost/json/parse.hpp>

#include <span>

namespace pancake::sim {

/// Messages per call, in GET messages and in the chat plugin's.
inline constexpr std::size_t messages_per_call = 30;

/// Field-by-field equality of described records (and vectors of them).
template <class T>
bool same_fields(const T& a, const T& b) {
    if constexpr (boost::describe::has_describe_members<T>::value) {
        bool same = true;
        boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
            [&](auto d) { same = same && same_fields(a.*d.pointer, b.*d.pointer); });
        return same;
    } else if constexpr (packing::is_vector<T>::value) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!same_fields(a[i], b[i])) return false;
        return true;
    } else {
        return a == b;
    }
}

struct world::ctx {
    const request& req;
    steady_time now;
    wall_time wall;
    const request_target& target;           ///< the path segments and query parameters, decoded
    std::span<const std::string_view> segs; ///< target.segments()
    page_state* page = nullptr;
    handle_result out;
    rate_step rate = rate_step::check;

    /// The first value of query parameter `k`, or none.
    std::optional<std::string> param(std::string_view k) const {
        auto v = target.param(k);
        if (!v) return std::nullopt;
        return std::string(*v);
    }
};

template <class T>
std::optional<T> world::body_as(ctx& c) const {
    boost::system::error_code ec;
    auto v = json::parse(c.req.body, ec);
    if (ec) {
        c.out.resp = invented(400, "Invalid JSON body");
        return std::nullopt;
    }
    diagnostics d;
    auto r = decode<T>(v, &d);
    if (!r) {
        c.out.resp = invented(400, "Invalid field " + d.field_path());
        return std::nullopt;
    }
    return std::move(*r);
}

inline utc_time to_utc(wall_time w) { return utc_time(std::chrono::time_point_cast<std::chrono::microseconds>(w)); }

inline std::int64_t unix_seconds(wall_time w) {
    return std::chrono::duration_cast<std::chrono::seconds>(w.time_since_epoch()).count();
}

/// `o` with "success": true added (the success envelope of most answers).
inline json::value ok_with(json::object o) {
    o["success"] = true;
    return o;
}

/// A message as the REST API and the messaging webhook show it (nullable fields as null).
json::value message_json(const message& m);

/// A fixture page's statistics and chat plugin fields: "utc_offset_minutes" (default 420),
/// "chat_plugin_id", "ads", and a snapshot's "activity" log (without it the log is seeded from the
/// page's conversations, messages and tag histories). false and `err` on a bad field.
bool load_page_extras(page_state& p, const json::object& o, std::string& err);
/// The same fields written into a snapshot's page object.
void page_extras_json(const page_state& p, json::object& o);

} // namespace pancake::sim
