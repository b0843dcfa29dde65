// A compact binary form for the model's described records (messages and conversations):
// varints, presence bytes for optionals, and strings either inline or as an index into a pool
// of repeated strings. A pancake::message is 680 bytes as a struct and ~100 packed.
//
// Which strings go to the pool is decided by field name: the ones that repeat across records
// (types, page ids, staff names, colours). Unique ones (ids, customer names, and message texts
// and snippets: on a real page nearly every one is new) stay inline, because a pool entry (a
// std::string and a hash entry, ~150 bytes) costs more than the bytes it saves when a string
// occurs once or twice. On a big page the inline texts are compressed with their record.
#pragma once

#include <pancake/ids.hpp>
#include <pancake/types/time.hpp>

#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>

#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace pancake::sim {

/// Strings stored once, named by a number. Entries never move (a deque), so the lookup table
/// holds views of them; a copy rebuilds its table over its own strings.
class string_pool {
public:
    string_pool() = default;
    string_pool(const string_pool& o) : strings_(o.strings_) { reindex(); }
    string_pool& operator=(const string_pool& o) {
        if (this != &o) {
            strings_ = o.strings_;
            reindex();
        }
        return *this;
    }
    string_pool(string_pool&&) noexcept = default;
    string_pool& operator=(string_pool&&) noexcept = default;

    std::uint32_t intern(std::string_view s) {
        if (auto it = ids_.find(s); it != ids_.end()) return it->second;
        strings_.emplace_back(s);
        const auto id = static_cast<std::uint32_t>(strings_.size() - 1);
        ids_.emplace(strings_.back(), id);
        return id;
    }
    const std::string& at(std::uint64_t id) const {
        if (id >= strings_.size()) throw std::runtime_error("packed record: bad string index");
        return strings_[id];
    }
    std::size_t size() const noexcept { return strings_.size(); }

private:
    void reindex() {
        ids_.clear();
        for (std::uint32_t i = 0; i < strings_.size(); ++i)
            ids_.emplace(strings_[i], i);
    }
    std::deque<std::string> strings_;
    std::unordered_map<std::string_view, std::uint32_t> ids_;
};

namespace packing {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_id : std::false_type {};
template <class Tag, class Rep>
struct is_id<basic_id<Tag, Rep>> : std::true_type {};

/// Fields whose values repeat across records (see the file comment).
inline bool pooled(std::string_view field) noexcept {
    for (std::string_view f : {"type", "page_id", "admin_id", "admin_name", "platform", "mime_type", "color", "title",
                               "email", "uid", "post_id", "assignee_ids", "editor_id", "editor_name"})
        if (f == field) return true;
    return false;
}

inline void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out += static_cast<char>(v | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}
inline std::uint64_t get_varint(std::string_view& in) {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (in.empty()) break;
        const auto b = static_cast<unsigned char>(in.front());
        in.remove_prefix(1);
        v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    throw std::runtime_error("packed record: truncated varint");
}
inline std::uint64_t zigzag(std::int64_t v) noexcept {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
inline std::int64_t unzigzag(std::uint64_t v) noexcept {
    return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

struct writer {
    std::string& out;
    string_pool& pool;
};
struct reader {
    std::string_view& in;
    const string_pool& pool;
};

inline void put_string(writer& w, std::string_view s, bool pool) {
    if (pool) {
        put_varint(w.out, (static_cast<std::uint64_t>(w.pool.intern(s)) << 1) | 1);
    } else {
        put_varint(w.out, static_cast<std::uint64_t>(s.size()) << 1);
        w.out.append(s);
    }
}
inline std::string get_string(reader& r) {
    const auto head = get_varint(r.in);
    if (head & 1) return r.pool.at(head >> 1);
    const auto n = head >> 1;
    if (n > r.in.size()) throw std::runtime_error("packed record: truncated string");
    std::string s(r.in.substr(0, n));
    r.in.remove_prefix(n);
    return s;
}

template <class T>
void write(writer& w, const T& v, bool pool = false) {
    if constexpr (std::is_same_v<T, bool>) {
        w.out += static_cast<char>(v ? 1 : 0);
    } else if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) {
        put_varint(w.out, zigzag(static_cast<std::int64_t>(v)));
    } else if constexpr (std::is_same_v<T, double>) {
        char b[sizeof v];
        std::memcpy(b, &v, sizeof v);
        w.out.append(b, sizeof b);
    } else if constexpr (std::is_same_v<T, std::string>) {
        put_string(w, v, pool);
    } else if constexpr (is_id<T>::value) {
        write(w, v.value(), pool);
    } else if constexpr (std::is_same_v<T, utc_time>) {
        // Microseconds, and whether the text form carried a fraction (it prints ".000000" then):
        // the flag is only observable when the microseconds are 0.
        const auto us = v.time().time_since_epoch().count();
        const bool fraction = us % 1'000'000 == 0 && v.to_string().size() > 19;
        put_varint(w.out, (zigzag(us) << 1) | (fraction ? 1 : 0));
    } else if constexpr (is_optional<T>::value) {
        w.out += static_cast<char>(v ? 1 : 0);
        if (v) write(w, *v, pool);
    } else if constexpr (is_vector<T>::value) {
        put_varint(w.out, v.size());
        for (auto& x : v)
            write(w, x, pool);
    } else {
        static_assert(boost::describe::has_describe_members<T>::value, "packed record: a type it cannot store");
        boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_any_access>>(
            [&](auto d) { write(w, v.*d.pointer, pooled(d.name)); });
    }
}

template <class T>
void read(reader& r, T& v) {
    if constexpr (std::is_same_v<T, bool>) {
        if (r.in.empty()) throw std::runtime_error("packed record: truncated");
        v = r.in.front() != 0;
        r.in.remove_prefix(1);
    } else if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) {
        v = static_cast<T>(unzigzag(get_varint(r.in)));
    } else if constexpr (std::is_same_v<T, double>) {
        if (r.in.size() < sizeof v) throw std::runtime_error("packed record: truncated");
        std::memcpy(&v, r.in.data(), sizeof v);
        r.in.remove_prefix(sizeof v);
    } else if constexpr (std::is_same_v<T, std::string>) {
        v = get_string(r);
    } else if constexpr (is_id<T>::value) {
        typename T::rep_type rep{};
        read(r, rep);
        v = T(std::move(rep));
    } else if constexpr (std::is_same_v<T, utc_time>) {
        const auto x = get_varint(r.in);
        v = utc_time(utc_time::time_point(std::chrono::microseconds(unzigzag(x >> 1))), (x & 1) != 0);
    } else if constexpr (is_optional<T>::value) {
        bool present = false;
        read(r, present);
        if (present) {
            typename T::value_type x{};
            read(r, x);
            v = std::move(x);
        } else {
            v.reset();
        }
    } else if constexpr (is_vector<T>::value) {
        const auto n = get_varint(r.in);
        if (n > r.in.size()) throw std::runtime_error("packed record: bad count"); // each takes >= 1 byte
        v.clear();
        v.resize(n);
        for (auto& x : v)
            read(r, x);
    } else {
        boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_any_access>>(
            [&](auto d) { read(r, v.*d.pointer); });
    }
}

} // namespace packing
} // namespace pancake::sim
