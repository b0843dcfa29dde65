// Small records compressed with a dictionary trained on records of their own kind (zstd). A packed
// conversation with two messages is ~270 bytes, mostly presence bytes, ids and times laid out
// alike from one conversation to the next: alone it hardly compresses, against a dictionary made
// from a sample of its neighbours it shrinks to about a third. A million of them is the
// difference between fitting in a few hundred MB and not.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pancake::sim {

class record_codec {
public:
    /// Makes the dictionary from `samples` (a few thousand records of the kind to compress).
    /// False, and still no dictionary, when zstd cannot make one (too few or too small samples).
    bool train(const std::vector<std::string_view>& samples);
    bool trained() const noexcept { return dict_ != nullptr; }
    std::size_t dictionary_bytes() const noexcept;

    /// Replaces `out` with `in` compressed. Requires trained().
    void compress(std::string_view in, std::string& out) const;
    /// Replaces `out` with the record `in` was made from; std::runtime_error if `in` is damaged.
    void decompress(std::string_view in, std::string& out) const;

private:
    struct dictionary;
    std::shared_ptr<const dictionary> dict_; // immutable once made: copies of a store share it
};

} // namespace pancake::sim
