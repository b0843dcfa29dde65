// The keyword auto-tagging configuration on arbitrary bytes: parse (strict checks, UTF-8 folding
// of tags and keywords), then matching a message. Input: config JSON, optionally followed by a NUL
// byte and a message to match.
#include "fuzz_check.hpp"

#include <pancake/workflow/keyword_rules.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wf = pancake::workflow;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const auto nul = in.find('\0');
    const auto config = in.substr(0, nul);
    const std::string_view message = nul == std::string_view::npos ? "đặt hàng giá ship" : in.substr(nul + 1);

    auto parsed = wf::keyword_rules::parse(config);
    if (!parsed) {
        // Every refusal says why, naming the field when one is at fault.
        PANCAKE_FUZZ_CHECK(!parsed.error().message.empty());
        return 0;
    }
    const auto& rules = *parsed;

    const auto m = rules.matches(message);
    const auto tags = rules.tags_for(message);
    PANCAKE_FUZZ_CHECK(tags.size() <= m.size());
    for (std::size_t i = 0; i < m.size(); ++i) {
        PANCAKE_FUZZ_CHECK(m[i].rule < rules.rules().size());
        PANCAKE_FUZZ_CHECK(m[i].keyword < rules.rules()[m[i].rule].keywords.size());
        if (i) PANCAKE_FUZZ_CHECK(m[i - 1].rule < m[i].rule);
    }

    // What a configuration accepted, the code path accepts too, and it matches the same way.
    auto again = wf::keyword_rules::from_rules(rules.rules());
    PANCAKE_FUZZ_CHECK(again.has_value());
    PANCAKE_FUZZ_CHECK(again->matches(message) == m);

    // A keyword, as the whole message, fires its own rule (in either match mode).
    for (std::size_t r = 0; r < rules.rules().size(); ++r)
        for (const auto& k : rules.rules()[r].keywords) {
            bool fired = false;
            for (const auto& x : rules.matches(k))
                fired = fired || x.rule == r;
            PANCAKE_FUZZ_CHECK(fired);
        }
    return 0;
}
