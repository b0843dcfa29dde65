// The client's answer path on arbitrary bytes: classify_response (status + body → error or
// parsed JSON) then decode<Endpoint::response_type> and the endpoint's to_result, for every
// endpoint. Input: [endpoint selector][status selector][body...].
#include "fuzz_check.hpp"

#include <pancake/client.hpp>
#include <pancake/detail/classify.hpp>
#include <pancake/endpoints.hpp>
#include <pancake/json.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

namespace ep = pancake::endpoints;

// The page token the diagnostics must never show (the fixture's, so seeds can contain it).
constexpr std::string_view secret = "pat_hoamai_7f3c2a91e4b84d0c";

template <class Endpoint>
void run(unsigned status, std::string_view body) {
    boost::json::value v;
    pancake::diagnostics d;
    const auto ec = pancake::detail::classify_response(status, body, v, d, secret);
    PANCAKE_FUZZ_CHECK(d.to_string().find(secret) == std::string_view::npos);
    // Decode whatever parsed, not only accepted answers: the decoders see hostile shapes too.
    if (ec && !v.is_object() && !v.is_array()) return;
    auto r = pancake::decode<typename Endpoint::response_type>(v, &d);
    if (!r) {
        PANCAKE_FUZZ_CHECK(!d.field_path().empty() || !d.client_message().empty());
        return;
    }
    auto out = pancake::detail::to_result<Endpoint>(std::move(*r));
    (void)out;
}

using runner = void (*)(unsigned, std::string_view);

// Same order as tests/fuzz/make_corpus.py's ENDPOINTS (the seed files' first byte).
constexpr std::array<runner, 30> runners{
    run<ep::list_pages>,
    run<ep::generate_page_access_token>,
    run<ep::list_conversations>,
    run<ep::toggle_tag>,
    run<ep::assign>,
    run<ep::mark_read>,
    run<ep::list_messages>,
    run<ep::send_message>,
    run<ep::get_campaign_statistics>,
    run<ep::get_ad_statistics>,
    run<ep::get_engagement_statistics>,
    run<ep::get_page_statistics>,
    run<ep::get_tag_statistics>,
    run<ep::get_user_statistics>,
    run<ep::list_customers>,
    run<ep::export_ad_conversations>,
    run<ep::update_customer>,
    run<ep::add_customer_note>,
    run<ep::update_customer_note>,
    run<ep::delete_customer_note>,
    run<ep::list_call_logs>,
    run<ep::list_tags>,
    run<ep::list_posts>,
    run<ep::list_users>,
    run<ep::set_round_robin_users>,
    run<ep::upload_content>,
    run<ep::send_chat_plugin_message>,
    run<ep::list_chat_plugin_messages>,
    run<ep::list_pages>, // spare slots: the common list shapes once more
    run<ep::list_conversations>,
};

// Statuses the real API and broken proxies produce, including invalid ones.
constexpr std::array<unsigned, 16> statuses{200, 200, 201, 204, 301, 400, 401, 403,
                                            404, 429, 500, 502, 503, 0,   99,  999};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const auto& run_one = runners[data[0] % runners.size()];
    const unsigned status = statuses[data[1] % statuses.size()];
    run_one(status, std::string_view(reinterpret_cast<const char*>(data + 2), size - 2));
    return 0;
}
