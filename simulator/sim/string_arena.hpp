// Strings stored once, named by a 32-bit handle: the model's ids (conversations, customers, staff,
// phones) repeat across millions of records, and a std::string or a string_view per use would
// cost more than the characters. The characters sit back to back, each behind its length, in
// 64 KB blocks that never move (a view of one stays valid as long as the arena); the handle is
// where the string starts, so finding its characters needs no table, and the index that finds a
// string's handle holds the handles alone (4 bytes each), hashing through the blocks.
#pragma once

#include <boost/unordered/unordered_flat_set.hpp>

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pancake::sim {

/// 0 names "" (stored nowhere); other handles are not dense. A moved-from arena is empty and usable.
class string_arena {
public:
    string_arena() : store_(std::make_unique<storage>()), ids_(0, hasher{store_.get()}, equal{store_.get()}) {}
    string_arena(const string_arena& o)
        : store_(std::make_unique<storage>(*o.store_)), ids_(o.ids_.size(), hasher{store_.get()}, equal{store_.get()}) {
        for (auto h : o.ids_) // the same bytes at the same places: the same handles
            ids_.insert(h);
    }
    string_arena& operator=(const string_arena& o) {
        if (this != &o) *this = string_arena(o);
        return *this;
    }
    // The index's hasher points at the storage, which a move hands over whole (it is on the heap).
    string_arena(string_arena&& o) noexcept : store_(std::move(o.store_)), ids_(std::move(o.ids_)) { o.renew(); }
    string_arena& operator=(string_arena&& o) noexcept {
        if (this != &o) {
            store_ = std::move(o.store_);
            ids_ = std::move(o.ids_);
            o.renew();
        }
        return *this;
    }

    std::uint32_t intern(std::string_view s) {
        if (s.empty()) return 0;
        if (auto it = ids_.find(s); it != ids_.end()) return *it;
        const auto h = store_->add(s);
        ids_.insert(h);
        return h;
    }
    /// The handle of `s` if stored, else 0 (a lookup that stores nothing).
    std::uint32_t find(std::string_view s) const {
        if (s.empty()) return 0;
        auto it = ids_.find(s);
        return it == ids_.end() ? 0 : *it;
    }
    std::string_view at(std::uint32_t h) const { return store_->at(h); }
    /// How many distinct non-empty strings it holds.
    std::size_t size() const noexcept { return ids_.size(); }

private:
    static constexpr std::size_t block_size = 64 * 1024;
    static constexpr std::uint32_t huge_bit = 0x8000'0000u; // the handle names an entry of `huge`

    struct storage {
        std::vector<std::unique_ptr<char[]>> blocks;
        std::vector<std::unique_ptr<std::string>> huge; // longer than a block
        std::size_t used = block_size;

        storage() = default;
        storage(const storage& o) : used(o.used) {
            for (auto& b : o.blocks) {
                blocks.push_back(std::make_unique<char[]>(block_size));
                std::memcpy(blocks.back().get(), b.get(), block_size);
            }
            for (auto& s : o.huge)
                huge.push_back(std::make_unique<std::string>(*s));
        }
        storage& operator=(const storage&) = delete;

        std::uint32_t add(std::string_view s) {
            if (s.size() + 3 > block_size) {
                if (huge.size() >= huge_bit - 1) throw std::length_error("string_arena: full");
                huge.push_back(std::make_unique<std::string>(s));
                return huge_bit | static_cast<std::uint32_t>(huge.size() - 1);
            }
            const std::size_t head = s.size() < 0x80 ? 1 : s.size() < 0x4000 ? 2 : 3;
            if (used + head + s.size() > block_size) {
                if ((blocks.size() + 1) * block_size >= huge_bit) throw std::length_error("string_arena: full");
                blocks.push_back(std::make_unique<char[]>(block_size));
                used = 0;
            }
            const std::size_t at = (blocks.size() - 1) * block_size + used;
            char* p = blocks.back().get() + used;
            for (auto n = s.size();; n >>= 7) { // the length, 7 bits a byte
                *p++ = static_cast<char>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
                if (n < 0x80) break;
            }
            std::memcpy(p, s.data(), s.size());
            used += head + s.size();
            return static_cast<std::uint32_t>(at + 1); // + 1: 0 is ""
        }
        std::string_view at(std::uint32_t h) const {
            if (h == 0) return {};
            if (h & huge_bit) return *huge.at(h & ~huge_bit);
            const std::size_t loc = h - 1, block = loc / block_size;
            if (block >= blocks.size()) throw std::out_of_range("string_arena: bad handle");
            const char* p = blocks[block].get() + loc % block_size;
            std::size_t n = 0;
            for (int shift = 0;; shift += 7) {
                const auto b = static_cast<unsigned char>(*p++);
                n |= static_cast<std::size_t>(b & 0x7f) << shift;
                if (!(b & 0x80)) break;
            }
            return {p, n};
        }
    };
    struct hasher {
        using is_transparent = void;
        const storage* s;
        std::size_t operator()(std::string_view v) const noexcept { return std::hash<std::string_view>{}(v); }
        std::size_t operator()(std::uint32_t h) const { return (*this)(s->at(h)); }
    };
    struct equal {
        using is_transparent = void;
        const storage* s;
        bool operator()(std::uint32_t a, std::uint32_t b) const noexcept { return a == b; }
        bool operator()(std::string_view v, std::uint32_t h) const { return s->at(h) == v; }
        bool operator()(std::uint32_t h, std::string_view v) const { return s->at(h) == v; }
    };
    void renew() {
        store_ = std::make_unique<storage>();
        ids_ = index(0, hasher{store_.get()}, equal{store_.get()});
    }
    using index = boost::unordered_flat_set<std::uint32_t, hasher, equal>;

    std::unique_ptr<storage> store_;
    index ids_;
};

} // namespace pancake::sim
