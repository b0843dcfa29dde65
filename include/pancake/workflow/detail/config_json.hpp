// Building config_error values while reading a JSON document (configurations, saved plans).
#pragma once

#include <pancake/workflow/error.hpp>

#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pancake::workflow::detail {

inline const char* json_kind(const boost::json::value& v) noexcept {
    switch (v.kind()) {
    case boost::json::kind::null:
        return "null";
    case boost::json::kind::bool_:
        return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
        return "a number";
    case boost::json::kind::string:
        return "a string";
    case boost::json::kind::array:
        return "an array";
    case boost::json::kind::object:
        return "an object";
    }
    return "a value";
}

inline config_error make_config_error(error code, std::string field, std::string_view what,
                                      std::optional<std::size_t> rule = std::nullopt, std::string rule_name = {}) {
    config_error e;
    e.code = make_error_code(code);
    e.message = field.empty() ? std::string(what) : field + ": " + std::string(what);
    if (!rule_name.empty()) e.message += " (rule \"" + rule_name + "\")";
    e.field = std::move(field);
    e.rule_index = rule;
    e.rule_name = std::move(rule_name);
    return e;
}

} // namespace pancake::workflow::detail
