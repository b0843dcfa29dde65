// Errors about the page as the workflow found it: a name or id that is not there, a name that
// fits two tags, a conversation the listing does not show, a write the server's answer does not
// reflect. They are not API failures (the calls succeeded), so they are neither pancake::errc
// values (the retry policy would see them) nor workflow::error values (those are about the
// workflow's own configuration and files): a category of their own, compared as usual:
//   if (ec == workflow::state_error::unknown_tag) …
#pragma once

#include <boost/system/error_code.hpp>

#include <ostream>
#include <string>
#include <type_traits>

namespace pancake::workflow {

enum class state_error : int {
    unknown_tag = 1,        ///< no tag of the page has that name (after folding) or id
    unknown_staff,          ///< nobody, current or former, has that name or id
    ambiguous_name,         ///< the name, folded, fits more than one entry: use the id
    conversation_not_found, ///< the conversation is not among the listed ones (wrong id, or too old)
    change_not_applied,     ///< the server answered, but its answer does not show the change
};

namespace detail {
class state_category final : public boost::system::error_category {
public:
    constexpr state_category() noexcept : error_category(0x70616e6361737465ull) {}
    const char* name() const noexcept override { return "pancake.workflow.state"; }
    std::string message(int ev) const override { return message(ev, nullptr, 0); }
    const char* message(int ev, char*, std::size_t) const noexcept override {
        switch (static_cast<state_error>(ev)) {
        case state_error::unknown_tag:
            return "no tag of the page has this name or id";
        case state_error::unknown_staff:
            return "no staff member of the page has this name or id";
        case state_error::ambiguous_name:
            return "the name matches more than one entry";
        case state_error::conversation_not_found:
            return "the conversation was not found in the page's listing";
        case state_error::change_not_applied:
            return "the server's answer does not show the requested change";
        }
        return "unknown pancake.workflow.state error";
    }
};
} // namespace detail

inline const boost::system::error_category& state_category() noexcept {
    static constexpr detail::state_category cat;
    return cat;
}

inline boost::system::error_code make_error_code(state_error e) noexcept {
    return boost::system::error_code(static_cast<int>(e), state_category());
}

inline std::ostream& operator<<(std::ostream& os, state_error e) { return os << make_error_code(e).message(); }

} // namespace pancake::workflow

template <>
struct boost::system::is_error_code_enum<pancake::workflow::state_error> : std::true_type {};
