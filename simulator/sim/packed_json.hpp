// A JSON value kept as compressed text (zstd): what reset() and snapshots return to. A fixture of a
// million conversations is gigabytes as a DOM and tens of megabytes this way; it is read only
// on reset and snapshot, where a parse is cheap next to rebuilding the model.
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <string>

namespace pancake::sim {

class packed_json {
public:
    packed_json() = default;
    /// Serializes and compresses `v` in chunks (no full text copy is made).
    explicit packed_json(const boost::json::value& v);
    /// The value back (null when empty).
    boost::json::value value() const;
    bool empty() const noexcept { return packed_.empty(); }
    std::size_t packed_bytes() const noexcept { return packed_.size(); }
    std::size_t text_bytes() const noexcept { return text_bytes_; }

private:
    std::string packed_;
    std::size_t text_bytes_ = 0;
};

} // namespace pancake::sim
