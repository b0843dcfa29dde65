// Keeps tokens out of the journal: the secrets it has been told (every string under a key that
// names a token in a fixture, and page tokens as they rotate), replaced wherever they appear,
// also when written %XX or \u00XX.
#pragma once

#include "world.hpp"

#include <boost/unordered/unordered_flat_map.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>

namespace pancake::sim {

class secret_redactor {
public:
    /// What a secret is replaced with.
    static constexpr std::string_view redacted = "REDACTED";

    /// Remembers `t` (ignored below 4 bytes: too short to be a token, it would shred ordinary
    /// text); true when it was new.
    bool add(const std::string& t);
    /// Every string under a key containing "token" (any case), at any depth.
    void note_fixture(const json::value& v);
    /// The pages' current tokens (generate_page_access_token rotates them). Rotated-away tokens
    /// are kept too, the oldest forgotten past a cap.
    void note_model(const world& model);

    /// `raw` with every known secret replaced.
    std::string redact(std::string_view raw) const;
    /// redact() in place: text without a secret (nearly all) is left as it is, without a copy.
    void redact_in_place(std::string& s) const;
    /// A request target with the value of every query parameter whose name mentions a token
    /// replaced, then every known secret removed wherever else it appears.
    std::string redact_target(std::string_view raw_target) const;
    /// redact_target() in place: a target of plain characters (nearly all) is edited where it
    /// is, without a parse or a copy.
    void redact_target_in_place(std::string& target) const;
    /// The longest secret's length (0 when none): how far past a cut a secret may reach.
    std::size_t longest() const noexcept { return secrets_.empty() ? 0 : secrets_.rbegin()->first; }

private:
    /// The redacted text into `out`; false (and `out` untouched) when there is nothing to redact.
    bool redact_into(std::string_view raw, std::string& out) const;
    /// redact_target_in_place() of a plain_target().
    void redact_plain_target(std::string& target) const;
    static std::uint32_t prefix_of(std::string_view s) noexcept; // s.size() >= 4
    void forget(const std::string& t);
    // By length: few distinct lengths, so a lookup per length and position is cheap.
    struct sv_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view v) const noexcept { return std::hash<std::string_view>{}(v); }
    };
    std::map<std::size_t, std::unordered_set<std::string, sv_hash, std::equal_to<>>> secrets_;
    std::deque<std::string> rotated_;
    std::array<std::uint32_t, 256> first_bytes_{}; ///< how many secrets start with each byte
    /// How many secrets start with each 4-byte prefix (every secret has 4): text where a secret's
    /// first byte appears ("p" of "pages" for "pat_…") is mostly ruled out without a hash of it.
    boost::unordered_flat_map<std::uint32_t, std::uint32_t> prefixes_;
    std::uint64_t noted_generation_ = 0; ///< the model's token_generation() last noted
};

} // namespace pancake::sim
