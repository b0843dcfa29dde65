// The lenient-but-strict JSON mapping. Lenient where the real API is loose: unknown keys are
// ignored, null counts as absent, ids come as int or string. Strict where it must be: a missing
// required field or a wrong type fails with a typed error naming the field path ("users[2].id").
// Structs are mapped through Boost.Describe; a struct lists its required keys in
// `pancake_required_fields(T*)` (found by ADL).
#pragma once

#include <pancake/error.hpp>
#include <pancake/ids.hpp>
#include <pancake/types/time.hpp>

#include <boost/describe.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include <charconv>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// Declares which JSON keys of a described struct must be present (found by ADL).
#define PANCAKE_REQUIRED_FIELDS(T, ...)                                                                                \
    inline std::span<const std::string_view> pancake_required_fields(const T*) {                                       \
        static constexpr std::string_view fields[] = {__VA_ARGS__};                                                    \
        return fields;                                                                                                 \
    }

namespace pancake::detail {

namespace json = boost::json;

class json_reader {
public:
    bool ok() const noexcept { return !ec_; }
    error_code error() const noexcept { return ec_; }
    const std::string& error_path() const noexcept { return error_path_; }

    void fail(errc e) {
        if (!ec_) {
            ec_ = make_error_code(e);
            error_path_ = path_.empty() ? std::string("<root>") : path_;
        }
    }

    class scope {
    public:
        scope(std::string& p, std::size_t n) : p_(p), n_(n) {}
        scope(const scope&) = delete;
        ~scope() { p_.resize(n_); }

    private:
        std::string& p_;
        std::size_t n_;
    };
    [[nodiscard]] scope key(std::string_view k) {
        auto n = path_.size();
        if (!path_.empty()) path_ += '.';
        path_.append(k);
        return scope(path_, n);
    }
    [[nodiscard]] scope index(std::size_t i) {
        auto n = path_.size();
        path_ += '[';
        path_ += std::to_string(i);
        path_ += ']';
        return scope(path_, n);
    }

    const json::object* object(const json::value& v) {
        if (auto* o = v.if_object()) return o;
        fail(errc::wrong_field_type);
        return nullptr;
    }

private:
    error_code ec_;
    std::string path_;
    std::string error_path_;
};

// ---- scalars -------------------------------------------------------------------------------

inline void read(json_reader& r, const json::value& v, std::string& out) {
    if (auto* s = v.if_string())
        out.assign(s->data(), s->size());
    else
        r.fail(errc::wrong_field_type);
}

inline void read(json_reader& r, const json::value& v, bool& out) {
    if (auto* b = v.if_bool())
        out = *b;
    else
        r.fail(errc::wrong_field_type);
}

inline bool parse_int(std::string_view s, std::int64_t& out) {
    auto res = std::from_chars(s.data(), s.data() + s.size(), out);
    return res.ec == std::errc{} && res.ptr == s.data() + s.size() && !s.empty();
}

template <class Int>
requires(std::is_integral_v<Int> && !std::is_same_v<Int, bool>) void read(json_reader& r, const json::value& v,
                                                                          Int& out) {
    if (auto* i = v.if_int64())
        out = static_cast<Int>(*i);
    else if (auto* u = v.if_uint64())
        out = static_cast<Int>(*u);
    // 1.0 is an integer in JSON's eyes. The range check first: converting a double outside int64
    // (1e300) is undefined behaviour, and so is converting straight to a narrower Int.
    else if (auto* d = v.if_double();
             d && *d >= -0x1p63 && *d < 0x1p63 && *d == static_cast<double>(static_cast<std::int64_t>(*d)))
        out = static_cast<Int>(static_cast<std::int64_t>(*d));
    else
        r.fail(errc::wrong_field_type);
}

inline void read(json_reader& r, const json::value& v, double& out) {
    if (v.is_number())
        out = v.to_number<double>();
    else
        r.fail(errc::wrong_field_type);
}

inline void read(json_reader&, const json::value& v, json::value& out) { out = v; }

inline void read(json_reader& r, const json::value& v, utc_time& out) {
    if (auto* s = v.if_string()) {
        if (auto t = utc_time::parse(*s))
            out = *t;
        else
            r.fail(errc::wrong_field_type);
    } else if (auto* i = v.if_int64()) {
        out = utc_time::from_unix(*i);
    } else {
        r.fail(errc::wrong_field_type);
    }
}

// ---- ids -----------------------------------------------------------------------------------

/// String ids: accept JSON strings, and integers (fb-style ids sometimes arrive as numbers).
template <class Tag>
void read(json_reader& r, const json::value& v, basic_id<Tag, std::string>& out) {
    if (auto* s = v.if_string())
        out = basic_id<Tag, std::string>(std::string(s->data(), s->size()));
    else if (auto* i = v.if_int64())
        out = basic_id<Tag, std::string>(std::to_string(*i));
    else if (auto* u = v.if_uint64())
        out = basic_id<Tag, std::string>(std::to_string(*u));
    else
        r.fail(errc::wrong_field_type);
}

/// Integer ids (tag_id): an integer, or a string holding one ("5").
template <class Tag>
void read(json_reader& r, const json::value& v, basic_id<Tag, std::int64_t>& out) {
    std::int64_t n = 0;
    if (auto* s = v.if_string()) {
        if (!parse_int(*s, n)) return r.fail(errc::wrong_field_type);
    } else {
        read(r, v, n);
    }
    out = basic_id<Tag, std::int64_t>(n);
}

// ---- containers ----------------------------------------------------------------------------

template <class T>
void read(json_reader& r, const json::value& v, std::optional<T>& out) {
    if (v.is_null()) {
        out.reset();
        return;
    }
    T t{};
    read(r, v, t);
    out = std::move(t);
}

template <class T>
void read(json_reader& r, const json::value& v, std::vector<T>& out) {
    out.clear();
    if (v.is_null()) return; // the API sends null for empty lists in places
    auto* a = v.if_array();
    if (!a) return r.fail(errc::wrong_field_type);
    out.reserve(a->size());
    for (std::size_t i = 0; i < a->size() && r.ok(); ++i) {
        auto s = r.index(i);
        T t{};
        read(r, (*a)[i], t);
        out.push_back(std::move(t));
    }
}

/// A JSON object whose keys are data (statistics keyed by tag or user id).
template <class T>
void read(json_reader& r, const json::value& v, std::map<std::string, T, std::less<>>& out) {
    out.clear();
    if (v.is_null()) return;
    auto* o = r.object(v);
    if (!o) return;
    for (auto& kv : *o) {
        if (!r.ok()) return;
        auto s = r.key(kv.key());
        read(r, kv.value(), out[std::string(kv.key())]);
    }
}

// ---- described structs ---------------------------------------------------------------------

/// Default: no required fields. Types override with PANCAKE_REQUIRED_FIELDS in their namespace.
inline std::span<const std::string_view> pancake_required_fields(const void*) { return {}; }

inline bool contains(std::span<const std::string_view> l, std::string_view k) {
    for (auto x : l)
        if (x == k) return true;
    return false;
}

template <class T>
void read_object(json_reader& r, const json::value& v, T& out) {
    auto* o = r.object(v);
    if (!o) return;
    const auto required = pancake_required_fields(static_cast<const T*>(nullptr));
    using members = boost::describe::describe_members<T, boost::describe::mod_public>;
    boost::mp11::mp_for_each<members>([&](auto D) {
        if (!r.ok()) return;
        auto it = o->find(D.name);
        if (it == o->end() || it->value().is_null()) {
            if (contains(required, D.name)) {
                auto s = r.key(D.name);
                r.fail(errc::missing_field);
            }
            return;
        }
        auto s = r.key(D.name);
        read(r, it->value(), out.*D.pointer);
    });
}

template <class T>
requires boost::describe::has_describe_members<T>::value void read(json_reader& r, const json::value& v, T& out) {
    read_object(r, v, out);
}

} // namespace pancake::detail
