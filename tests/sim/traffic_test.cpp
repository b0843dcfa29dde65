// The simulated customer traffic (POST /__sim/traffic): the generator is deterministic per seed,
// and writes the ways customers write: with diacritics, without, decomposed (NFD), in capitals.
#include <sim/traffic.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <set>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace traffic_test {

namespace json = boost::json;
namespace sim = pancake::sim;

namespace {

sim::traffic_plan plan(std::uint64_t seed, std::size_t n = 200) {
    sim::traffic_plan p;
    p.page_id = "100000000000001";
    p.messages = n;
    p.per_second = 20;
    p.seed = seed;
    p.customers = 40;
    return p;
}

bool has_combining_mark(const std::string& s) { // U+0300..U+036F: CC 80 .. CD AF
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
        const auto a = static_cast<unsigned char>(s[i]), b = static_cast<unsigned char>(s[i + 1]);
        if ((a == 0xCC && b >= 0x80) || (a == 0xCD && b <= 0xAF)) return true;
    }
    return false;
}

bool ascii(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

} // namespace

BOOST_AUTO_TEST_SUITE(sim_traffic)

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_messages) {
    const auto a = sim::generate_traffic(plan(7)), b = sim::generate_traffic(plan(7)),
               c = sim::generate_traffic(plan(8));
    BOOST_TEST_REQUIRE(a.size() == 200u);
    BOOST_TEST_REQUIRE(b.size() == 200u);
    bool differs = false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        BOOST_TEST(json::serialize(sim::to_json(a[i])) == json::serialize(sim::to_json(b[i])));
        differs = differs || a[i].text != c[i].text;
    }
    BOOST_TEST(differs);
    // Paced on the clock: message i at i / per_second.
    BOOST_TEST(a[0].at_s == 0.0);
    BOOST_TEST(a[40].at_s == 2.0);
}

BOOST_AUTO_TEST_CASE(it_covers_diacritics_none_decomposed_and_capitals) {
    std::map<std::string, std::size_t> forms;
    std::set<std::string> intents;
    for (auto& m : sim::generate_traffic(plan(3))) {
        ++forms[m.form];
        intents.insert(m.intent);
        if (m.form == "plain") BOOST_TEST(ascii(m.text), m.text);
        if (m.form == "nfd") BOOST_TEST(has_combining_mark(m.text), m.text);
        if (m.form == "nfc") BOOST_TEST(!has_combining_mark(m.text), m.text);
        if (m.form == "upper")
            BOOST_TEST(std::none_of(m.text.begin(), m.text.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; }),
                       m.text);
    }
    for (auto f : {"nfc", "plain", "nfd", "upper"})
        BOOST_TEST(forms[f] > 10u, f << ": " << forms[f]);
    BOOST_TEST(intents.size() == 6u); // order, price, delivery, return, complaint, none
}

BOOST_AUTO_TEST_CASE(new_and_returning_customers_each_in_their_conversation) {
    const auto msgs = sim::generate_traffic(plan(5));
    std::set<std::string> psids;
    std::size_t returning = 0;
    for (auto& m : msgs) {
        BOOST_TEST(m.conversation_id == "100000000000001_" + m.psid);
        BOOST_TEST(m.returning == psids.contains(m.psid));
        returning += m.returning;
        psids.insert(m.psid);
    }
    BOOST_TEST(psids.size() <= 40u);
    BOOST_TEST(psids.size() >= 30u);
    BOOST_TEST(returning > 100u);
}

BOOST_AUTO_TEST_CASE(vietnamese_text_helpers) {
    BOOST_TEST(sim::vi_strip_accents("Đặt hàng, giá bao nhiêu?") == "Dat hang, gia bao nhieu?");
    // ặ = a + dot below (ccc 220) + breve (ccc 230), in canonical order.
    BOOST_TEST(sim::vi_decompose("ặ") == "a\xCC\xA3\xCC\x86");
    BOOST_TEST(sim::vi_decompose("Đặt") == "\xC4\x90"
                                           "a\xCC\xA3\xCC\x86t"); // Đ does not decompose
    BOOST_TEST(sim::vi_upper("đặt hàng khiếu nại") == "ĐẶT HÀNG KHIẾU NẠI");
    BOOST_TEST(sim::vi_strip_accents(sim::vi_decompose("Khiếu nại")) == "Khieu nai");
}

BOOST_AUTO_TEST_CASE(the_plan_is_checked) {
    sim::traffic_plan p;
    std::string err;
    BOOST_TEST(sim::parse_traffic_plan(json::parse(R"({"page_id":"1","messages":5,"seed":3,"customers":2})"), p, err));
    BOOST_TEST(p.messages == 5u);
    BOOST_TEST(p.seed == 3u);
    BOOST_TEST(!sim::parse_traffic_plan(json::parse(R"({"messages":5})"), p, err));
    BOOST_TEST(err.find("page_id") != std::string::npos);
    BOOST_TEST(!sim::parse_traffic_plan(json::parse(R"({"page_id":"1","messages":5,"rate":3})"), p, err));
    BOOST_TEST(err.find("rate") != std::string::npos);
    BOOST_TEST(!sim::parse_traffic_plan(json::parse(R"({"page_id":"1","messages":0})"), p, err));
    BOOST_TEST(!sim::parse_traffic_plan(json::parse(R"({"page_id":"1"})"), p, err));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace traffic_test
