// Simulated customer traffic: a seeded generator of Vietnamese shop messages (orders, prices,
// delivery, returns, complaints, small talk), written the ways customers write them: with
// diacritics, without, decomposed (NFD), in capitals. Pure: the same plan gives the same
// messages on every platform (no std distributions). The server sends them through inject on
// its clock (POST /__sim/traffic).
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pancake::sim {

struct traffic_plan {
    std::string page_id;
    std::size_t messages = 0;
    double per_second = 10; ///< on the server's clock; the first message goes at once
    std::uint64_t seed = 1;
    std::size_t customers = 20; ///< distinct customers (psids) the messages come from
};

/// One generated message.
struct traffic_message {
    std::size_t index = 0;
    double at_s = 0; ///< seconds after the start
    std::string psid, name, conversation_id;
    std::string text;
    std::string intent;     ///< order | price | delivery | return | complaint | none
    std::string form;       ///< nfc | plain (no diacritics) | nfd | upper
    bool returning = false; ///< the customer wrote before in this run
};

/// Reads {"page_id", "messages", "per_second"?, "seed"?, "customers"?}; false and a message
/// naming the field when something is wrong.
bool parse_traffic_plan(const boost::json::value& v, traffic_plan& out, std::string& err);

std::vector<traffic_message> generate_traffic(const traffic_plan& plan);

boost::json::value to_json(const traffic_message& m);
boost::json::value to_json(const traffic_plan& p);

/// Text helpers (Vietnamese letters only; other characters pass through unchanged).
std::string vi_decompose(std::string_view nfc);     ///< NFC → NFD
std::string vi_strip_accents(std::string_view nfc); ///< "Đặt hàng" → "Dat hang"
std::string vi_upper(std::string_view nfc);         ///< "đặt hàng" → "ĐẶT HÀNG" (NFC)

} // namespace pancake::sim
