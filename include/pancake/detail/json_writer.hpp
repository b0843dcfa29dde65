// Encoding, the mirror of json_reader: described structs become objects, absent optionals are
// omitted (never sent as null), ids keep their wire type.
#pragma once

#include <pancake/ids.hpp>
#include <pancake/types/time.hpp>

#include <boost/describe.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pancake::detail {

namespace json = boost::json;

template <class T>
inline constexpr bool is_optional_v = false;
template <class T>
inline constexpr bool is_optional_v<std::optional<T>> = true;

// Declared first so the container overloads below can reach it (json::value brings no ADL here).
template <class T>
requires boost::describe::has_describe_members<T>::value void write(json::value& out, const T& v);
template <class T>
void write(json::value& out, const std::optional<T>& v);
template <class T>
void write(json::value& out, const std::vector<T>& v);
template <class T>
void write(json::value& out, const std::map<std::string, T, std::less<>>& v);

inline void write(json::value& out, const std::string& v) { out = json::string(v, out.storage()); }
inline void write(json::value& out, bool v) { out = v; }
template <class Int>
requires(std::is_integral_v<Int> && !std::is_same_v<Int, bool>) void write(json::value& out, Int v) {
    out = static_cast<std::int64_t>(v);
}
inline void write(json::value& out, double v) { out = v; }
inline void write(json::value& out, const json::value& v) { out = v; }
inline void write(json::value& out, const utc_time& v) { out = json::string(v.to_string(), out.storage()); }
template <class Tag, class Rep>
void write(json::value& out, const basic_id<Tag, Rep>& id) {
    write(out, id.value());
}
template <class T>
void write(json::value& out, const std::optional<T>& v) {
    if (v)
        write(out, *v);
    else
        out = nullptr;
}
template <class T>
void write(json::value& out, const std::vector<T>& v) {
    auto& a = out.emplace_array();
    a.reserve(v.size());
    for (auto& e : v) {
        json::value x(out.storage());
        write(x, e);
        a.push_back(std::move(x));
    }
}

template <class T>
void write(json::value& out, const std::map<std::string, T, std::less<>>& v) {
    auto& o = out.emplace_object();
    for (auto& [k, e] : v)
        write(o[k], e);
}

template <class T>
requires boost::describe::has_describe_members<T>::value void write(json::value& out, const T& v) {
    auto& o = out.emplace_object();
    using members = boost::describe::describe_members<T, boost::describe::mod_public>;
    o.reserve(boost::mp11::mp_size<members>::value); // one allocation, not one per growth
    boost::mp11::mp_for_each<members>([&](auto D) {
        const auto& m = v.*D.pointer;
        if constexpr (is_optional_v<std::remove_cvref_t<decltype(m)>>) {
            if (!m) return;
        }
        write(o[D.name], m);
    });
}

/// Elements are made in `sp` (the writers above build in their output's storage).
template <class T>
json::value to_json(const T& v, json::storage_ptr sp = {}) {
    json::value out(std::move(sp));
    write(out, v);
    return out;
}

} // namespace pancake::detail
