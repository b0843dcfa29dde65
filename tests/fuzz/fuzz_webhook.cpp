// The webhook path on arbitrary bytes: the receiver's cheap is_json_object gate, the processor's
// parse_event (raw envelope, dedupe/serial keys), and decode_webhook into the five envelopes.
#include "fuzz_check.hpp"

#include <pancake/webhook/detail/is_json_object.hpp>
#include <pancake/webhook/event.hpp>
#include <pancake/webhook/parse.hpp>

#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);

    boost::system::error_code ec;
    const auto v = boost::json::parse(body, ec);
    const bool parsed_object = !ec && v.is_object();
    // The receiver answers 400 from is_json_object; the processor later parses with
    // boost::json::parse. They must agree, or an acknowledged delivery is dropped (or a good
    // one refused).
    PANCAKE_FUZZ_CHECK(pancake::webhook::detail::is_json_object(body) == parsed_object);

    pancake::diagnostics d;
    auto typed = pancake::parse_webhook(body, &d);
    if (!ec) {
        auto again = pancake::decode_webhook(v, &d);
        PANCAKE_FUZZ_CHECK(again.has_value() == typed.has_value());
    }

    auto e = pancake::webhook::parse_event(body, &d);
    PANCAKE_FUZZ_CHECK(e.has_value() == parsed_object);
    if (e) {
        // Every delivery gets a dedupe key; a known, decodable type also decodes on its own.
        PANCAKE_FUZZ_CHECK(!e->dedupe_key.empty());
        if (e->typed) PANCAKE_FUZZ_CHECK(typed.has_value());
        PANCAKE_FUZZ_CHECK(e->kind == pancake::webhook::kind_of(e->event_type));
    }
    return 0;
}
