// Reading the fields of one fixture entry (a customer, a note, a post, a call log) with a message
// that says where and what is wrong: "page 1: customers[2]: birthday must be a date YYYY-MM-DD".
#pragma once

#include <pancake/types.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pancake::sim {

/// Sets `out` to `err` and answers false: `return report(err, "…")` in a loader.
inline bool report(std::string& out, const std::string& err) {
    out = err;
    return false;
}

/// The first problem is kept in `err`; later reads on a failed entry return defaults.
class fixture_fields {
public:
    fixture_fields(const boost::json::value& v, std::string where, std::string& err)
        : obj_(v.if_object()), where_(std::move(where)), err_(err) {
        if (!obj_) fail("must be an object");
    }
    fixture_fields(const boost::json::object& o, std::string where, std::string& err)
        : obj_(&o), where_(std::move(where)), err_(err) {}
    bool ok() const { return err_.empty(); }
    void fail(const std::string& what) {
        if (err_.empty()) err_ = where_ + what;
    }
    /// The value of `k`, or nullptr when absent or null.
    const boost::json::value* get(const char* k) const {
        auto* v = obj_ ? obj_->if_contains(k) : nullptr;
        return v && !v->is_null() ? v : nullptr;
    }
    std::optional<std::string> opt_str(const char* k) {
        auto* v = get(k);
        if (!v) return std::nullopt;
        if (!v->is_string()) {
            fail(std::string(k) + " must be a string");
            return std::nullopt;
        }
        return std::string(v->as_string());
    }
    std::string str(const char* k) {
        auto s = opt_str(k);
        if (!s && !get(k)) fail(std::string(k) + " is required");
        return s.value_or("");
    }
    std::optional<std::int64_t> opt_int(const char* k) {
        auto* v = get(k);
        if (!v) return std::nullopt;
        if (v->is_int64()) return v->as_int64();
        if (v->is_uint64() && v->as_uint64() <= INT64_MAX) return static_cast<std::int64_t>(v->as_uint64());
        fail(std::string(k) + " must be an integer");
        return std::nullopt;
    }
    std::int64_t int64(const char* k) {
        auto n = opt_int(k);
        if (!n && !get(k)) fail(std::string(k) + " is required");
        return n.value_or(0);
    }
    std::optional<utc_time> opt_time(const char* k) {
        auto s = opt_str(k);
        if (!s) return std::nullopt;
        auto t = utc_time::parse(*s);
        if (!t) fail(std::string(k) + " must be a timestamp YYYY-MM-DDTHH:MM:SS");
        return t;
    }
    utc_time time(const char* k) {
        auto t = opt_time(k);
        if (!t && !get(k)) fail(std::string(k) + " is required");
        return t.value_or(utc_time{});
    }
    /// An array of `k` (absent or null: nullptr).
    const boost::json::array* array(const char* k) {
        auto* v = get(k);
        if (v && !v->is_array()) fail(std::string(k) + " must be an array");
        return v ? v->if_array() : nullptr;
    }
    std::vector<std::string> strings(const char* k) {
        std::vector<std::string> out;
        if (auto* a = array(k))
            for (auto& x : *a) {
                if (!x.is_string()) {
                    fail(std::string(k) + " must be an array of strings");
                    return {};
                }
                out.emplace_back(x.as_string());
            }
        return out;
    }

private:
    const boost::json::object* obj_;
    std::string where_;
    std::string& err_;
};

} // namespace pancake::sim
