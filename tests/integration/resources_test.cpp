// The operations beyond the workflow calls (page tokens, uploads, customers and notes, content,
// statistics, the chat plugin) through the client against the embedded simulator: in memory, on
// virtual time.
#include "support/memory_world.hpp"

#include <boost/test/unit_test.hpp>

using namespace pancake;
using test::outcome;

namespace {

const page_id shop{"100000000000001"};
const std::string shop_token = "pat_hoamai_7f3c2a91e4b84d0c";
const std::string owner_token = "uat_hoamai_owner_2026";

struct world : test::memory_world {
    world() { api.add_page(shop, shop_token); }

    template <class T, class F>
    outcome<T> call(F start) {
        outcome<T> o;
        start(o.handler());
        run([&] { return o.done(); });
        return o;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(resources)

BOOST_AUTO_TEST_CASE(a_generated_page_token_replaces_the_registered_one_and_the_old_one_dies) {
    world w;
    auto gen = w.call<std::string>([&](auto h) { w.api.async_generate_page_access_token(shop, owner_token, h); });
    BOOST_TEST_REQUIRE(!*gen.ec);
    BOOST_TEST(gen.value != shop_token);
    BOOST_TEST(gen.value.starts_with("pat_"));
    // The client now calls with the new token: the call succeeds although the old token is dead.
    auto tags = w.call<std::vector<tag>>([&](auto h) { w.api.async_list_tags(shop, h); });
    BOOST_TEST(!*tags.ec);
    BOOST_TEST(!tags.value.empty());

    // A second client still holding the old token is refused.
    client stale(w.ioc.get_executor(), w.config());
    stale.add_page(shop, shop_token);
    outcome<std::vector<tag>> refused;
    stale.async_list_tags(shop, refused.handler());
    w.run([&] { return refused.done(); });
    BOOST_TEST((*refused.ec == errc::invalid_token));

    // A bad user token: typed error, and the registered token is kept.
    diagnostics d;
    auto bad = w.call<std::string>([&](auto h) { w.api.async_generate_page_access_token(shop, "uat_wrong", d, h); });
    BOOST_TEST((*bad.ec == errc::invalid_token));
    BOOST_TEST(d.url().find("uat_wrong") == std::string::npos);
    auto again = w.call<std::vector<tag>>([&](auto h) { w.api.async_list_tags(shop, h); });
    BOOST_TEST(!*again.ec);
}

BOOST_AUTO_TEST_CASE(an_upload_gives_a_content_id_a_send_can_use_and_is_sent_once) {
    world w;
    auto up = w.call<upload_result>([&](auto h) {
        w.api.async_upload_content(shop, endpoints::upload_source::bytes("ao-do.jpg", std::string(5000, 'j')), h);
    });
    BOOST_TEST_REQUIRE(!*up.ec);
    BOOST_TEST(up.value.attachment_type == "PHOTO"); // from the part's Content-Type, image/jpeg
    BOOST_TEST(!up.value.id.empty());
    BOOST_TEST(w.count("upload") == 1u);

    const conversation_id conv{"100000000000001_200000000000001"};
    send_message_request m;
    m.action = "reply_inbox";
    m.content_ids = std::vector<std::string>{up.value.id};
    diagnostics d;
    auto sent = w.call<send_message_result>([&](auto h) { w.api.async_send_message(shop, conv, m, d, h); });
    BOOST_TEST(!*sent.ec, d.api_message() << " " << d.client_message());

    // A lost answer: the upload may have happened, so it is not repeated.
    w.faults(R"({"rules":[{"route":"upload","kind":"commit_then_drop","times":1}]})");
    auto lost = w.call<upload_result>(
        [&](auto h) { w.api.async_upload_content(shop, endpoints::upload_source::bytes("a.pdf", "%PDF-1.4"), h); });
    BOOST_TEST((*lost.ec == errc::outcome_unknown));
    BOOST_TEST(w.count("upload") == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
