// A request target split into its path segments and query parameters, decoded. Every request
// the model answers is split once; most targets have nothing to decode (no escapes, no '+'), and
// then the parts are slices of the target itself: no URL parse, no copies.
#pragma once

#include <boost/container/small_vector.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pancake::sim {

class request_target {
public:
    request_target() = default;
    // The parts may point into the object itself (decoded copies): neither copied nor moved.
    request_target(const request_target&) = delete;
    request_target& operator=(const request_target&) = delete;

    /// Splits `target` (origin-form; unescaped brackets and the like are tolerated, as
    /// lenient_target rewrites them). false when it is not origin-form. The parts may point into
    /// `target`, which must outlive them.
    bool parse(std::string_view target);

    std::span<const std::string_view> segments() const noexcept { return {segs_.data(), segs_.size()}; }

    /// The first value of `key` ("" for a key without '='), or none.
    std::optional<std::string_view> param(std::string_view key) const noexcept;
    /// How many times `key` is given.
    std::size_t count(std::string_view key) const noexcept;
    /// Every value of `key`, in the target's order.
    std::vector<std::string_view> all(std::string_view key) const;

private:
    bool parse_decoded(std::string_view target);

    boost::container::small_vector<std::string_view, 9> segs_;
    boost::container::small_vector<std::pair<std::string_view, std::string_view>, 4> params_;
    std::vector<std::string> decoded_; // the parts of a target that needed decoding
};

} // namespace pancake::sim
