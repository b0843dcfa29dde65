// Errors of the workflow layer's own inputs: configuration it loads and state it keeps on disk.
// A category of its own (as Beast has http::error beside net errors) rather than more
// pancake::errc values: these never come from the API, and the retry policy never sees them.
#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>

namespace pancake::workflow {

using error_code = boost::system::error_code;

enum class error : int {
    config_not_json = 1,  ///< the configuration text does not parse as JSON
    config_wrong_type,    ///< a field has the wrong JSON type
    config_missing_field, ///< a required field is absent
    config_unknown_field, ///< a field the configuration does not define (a typo, most often)
    config_invalid_value, ///< right type, unusable value (an empty keyword, an unknown mode)
    cursor_file_corrupt,  ///< the cursor file exists but is not what file_cursor_store writes
};

namespace detail {
class workflow_category final : public boost::system::error_category {
public:
    constexpr workflow_category() noexcept : error_category(0x70616e63616b6577ull) {}
    const char* name() const noexcept override { return "pancake.workflow"; }
    std::string message(int ev) const override { return message(ev, nullptr, 0); }
    const char* message(int ev, char*, std::size_t) const noexcept override {
        switch (static_cast<error>(ev)) {
        case error::config_not_json:
            return "configuration is not valid JSON";
        case error::config_wrong_type:
            return "configuration field has the wrong type";
        case error::config_missing_field:
            return "configuration field is missing";
        case error::config_unknown_field:
            return "unknown configuration field";
        case error::config_invalid_value:
            return "configuration field has an invalid value";
        case error::cursor_file_corrupt:
            return "the assignment cursor file is corrupt";
        }
        return "unknown pancake.workflow error";
    }
};
} // namespace detail

inline const boost::system::error_category& workflow_category() noexcept {
    static constexpr detail::workflow_category cat;
    return cat;
}

inline error_code make_error_code(error e) noexcept { return error_code(static_cast<int>(e), workflow_category()); }

/// A configuration the workflow refused, saying where: `field` is a path into the document
/// ("rules[2].keywords"), `rule_index`/`rule_name` name the rule when the error lies inside one,
/// and `message` puts it together for a log line or an operator:
/// `rules[2].keywords: must be a non-empty array of strings (rule "hỏi giá")`.
struct config_error {
    error_code code;
    std::string field; ///< empty when the document as a whole is at fault
    std::optional<std::size_t> rule_index;
    std::string rule_name; ///< empty when the rule has no usable name yet
    std::string message;

    friend std::ostream& operator<<(std::ostream& os, const config_error& e) { return os << e.message; }
};

/// What `.value()` on a failed configuration result throws: a system_error carrying the code
/// and the whole message, plus the structured error.
class config_exception : public boost::system::system_error {
public:
    explicit config_exception(config_error e) : system_error(e.code, e.message), error_(std::move(e)) {}
    const config_error& get_error() const noexcept { return error_; }

private:
    config_error error_;
};

/// Found by boost::system::result<T, config_error>::value() through ADL.
[[noreturn]] inline void throw_exception_from_error(const config_error& e, const boost::source_location&) {
    throw config_exception(e);
}

} // namespace pancake::workflow

template <>
struct boost::system::is_error_code_enum<pancake::workflow::error> : std::true_type {};
