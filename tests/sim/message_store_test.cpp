// The simulator keeps messages packed in their conversation's slot (simulator/sim/
// conversation_store.hpp): what goes in comes back field for field, including the optional
// fields, attachments, time fractions and strings that went to the pool; copies are independent;
// damaged bytes are an error, not a crash; a conversation that does not exist takes none.
#include <pancake/json.hpp>
#include <pancake/pancake.hpp>
#include <sim/conversation_store.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace message_store_test {

using namespace pancake;

namespace {

message full_message(int i) {
    message m;
    m.id = message_id("m_" + std::to_string(i));
    m.conversation_id = conversation_id("100000000000001_2000");
    m.page_id = page_id("100000000000001");
    m.type = i % 2 ? "INBOX" : "COMMENT";
    m.message = "<div>Cho mình đặt 2 áo size M</div>";
    m.original_message = "Cho mình đặt 2 áo size M";
    sender s;
    s.id = "2000";
    s.name = "Nguyễn Thị Hương";
    s.email = "huong@example.vn";
    s.admin_id = "c4bafd84-7b96-4f28-b59a-031f17c32ddf";
    s.page_customer_id = "0f1e2d3c-0000-4000-8000-00000000000" + std::to_string(i % 10);
    s.ai_generated = i % 3 == 0;
    m.from = s;
    // A whole second written with a fraction ("….000000") must come back written the same way.
    m.inserted_at = utc_time::parse(i % 2 ? "2026-01-02T03:04:05.000000" : "2026-01-02T03:04:05.123456");
    m.seen = true;
    m.is_parent = i % 4 == 0;
    if (i % 3 == 1) m.parent_id = message_id("m_parent");
    if (i % 5 == 2) m.private_reply_conversation = "100000000000001_9999";
    m.attachments.push_back({"photo", "https://content.pancake.vn/1.jpg", std::nullopt, "ảnh", "image/jpeg"});
    return m;
}

std::string text(const message& m) { return boost::json::serialize(encode(m)); }

conversation named(const std::string& id) {
    conversation c;
    c.id = conversation_id(id);
    c.type = "INBOX";
    return c;
}

} // namespace

BOOST_AUTO_TEST_SUITE(message_store)

BOOST_AUTO_TEST_CASE(round_trip_field_for_field) {
    sim::conversation_store store;
    store.insert(named("100000000000001_2000"));
    BOOST_TEST(!store.holds_messages("100000000000001_2000"));
    std::vector<message> in;
    for (int i = 0; i < 12; ++i)
        in.push_back(full_message(i));
    in.push_back(message{}); // every optional absent
    in.back().id = message_id("bare");
    in[3].conversation_id = conversation_id("another_thread"); // not its own: kept, not elided
    for (auto& m : in)
        store.append_message("100000000000001_2000", m);
    auto out = store.messages("100000000000001_2000");
    BOOST_TEST_REQUIRE(out.size() == in.size());
    BOOST_TEST(store.message_count("100000000000001_2000") == in.size());
    for (std::size_t i = 0; i < in.size(); ++i)
        BOOST_TEST(text(out[i]) == text(in[i]), "message " << i);
    BOOST_TEST(store.messages("unknown").empty());
    BOOST_TEST(!store.holds_messages("unknown"));
    BOOST_CHECK_THROW(store.append_message("unknown", in[0]), std::out_of_range);
    BOOST_TEST(!store.contains("unknown")); // not created by the attempt

    // Replacing a list (a comment marked with its private reply) keeps the rest.
    out[0].private_reply_conversation = "100000000000001_7777";
    store.put_messages("100000000000001_2000", out);
    auto again = store.messages("100000000000001_2000");
    BOOST_TEST(text(again[0]) == text(out[0]));
    BOOST_TEST(text(again[5]) == text(in[5]));
}

BOOST_AUTO_TEST_CASE(a_copy_is_independent) {
    std::optional<sim::conversation_store> a(std::in_place);
    a->insert(named("c1"));
    a->append_message("c1", full_message(1));
    sim::conversation_store b = *a; // the copy's pool must not point into a's strings
    a.reset();
    b.append_message("c1", full_message(2));
    auto out = b.messages("c1");
    BOOST_TEST_REQUIRE(out.size() == 2u);
    BOOST_TEST(text(out[0]) == text(full_message(1)));
    BOOST_TEST(text(out[1]) == text(full_message(2)));
}

BOOST_AUTO_TEST_CASE(an_empty_list_is_held_and_a_new_list_replaces) {
    sim::conversation_store store;
    store.insert(named("c1"));
    store.put_messages("c1", {});
    BOOST_TEST(store.holds_messages("c1")); // a fixture's "messages": [] is written back
    BOOST_TEST(store.message_count("c1") == 0u);
    store.put_messages("c1", {full_message(1), full_message(2)});
    store.put_messages("c1", {full_message(3)});
    BOOST_TEST_REQUIRE(store.messages("c1").size() == 1u);
    BOOST_TEST(text(store.messages("c1")[0]) == text(full_message(3)));
    // The conversation itself is untouched by its messages.
    BOOST_TEST(store.get("c1").type == "INBOX");
}

BOOST_AUTO_TEST_CASE(damaged_bytes_throw) {
    sim::string_pool pool;
    std::string bytes;
    sim::packing::writer w{bytes, pool};
    sim::packing::write(w, full_message(1));
    for (std::size_t cut : {std::size_t(0), std::size_t(1), bytes.size() / 2, bytes.size() - 1}) {
        std::string_view in(bytes.data(), cut);
        sim::packing::reader r{in, pool};
        message m;
        BOOST_CHECK_THROW(sim::packing::read(r, m), std::runtime_error);
    }
    sim::string_pool empty; // indices into a pool that does not have them
    std::string_view in = bytes;
    sim::packing::reader r{in, empty};
    message m;
    BOOST_CHECK_THROW(sim::packing::read(r, m), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace message_store_test
