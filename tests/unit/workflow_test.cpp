// The pure workflow layer: folding and keyword matching on Vietnamese text, keyword rules and
// their configuration errors, staff eligibility, the assigners (fairness while staff change),
// the cursor stores, and the tag diff. No I/O but the cursor file.
#include <pancake/json.hpp>
#include <pancake/text/fold.hpp>
#include <pancake/text/match.hpp>
#include <pancake/types/user.hpp>
#include <pancake/workflow/assigners.hpp>
#include <pancake/workflow/cursor_store.hpp>
#include <pancake/workflow/file_cursor_store.hpp>
#include <pancake/workflow/keyword_rules.hpp>
#include <pancake/workflow/staff.hpp>
#include <pancake/workflow/tag_diff.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <unistd.h>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace workflow_test {

using namespace pancake;
// Suites are named after what they test (keyword_rules, tag_diff), so the workflow namespace is
// not pulled in whole: its types of those names would be ambiguous with the suites.
namespace wf = pancake::workflow;
using wf::config_exception;
using wf::cursor_store;
using wf::diff_ids;
using wf::diff_tags;
using wf::eligible_for_assignment;
using wf::eligible_staff;
using wf::error;
using wf::file_cursor_store;
using wf::find_staff;
using wf::keyword_rule;
using wf::least_loaded;
using wf::memory_cursor_store;
using wf::next_in_rotation;
using wf::round_robin_assigner;
using wf::routing_facts;
using wf::routing_rule;
using wf::rule_based_assigner;
using wf::rule_match;
using wf::staff_load;
using wf::store_result;
namespace fs = std::filesystem;
using text::accent_mode;
using text::match_mode;

namespace {

// "Đặt hàng" three ways: precomposed (NFC), decomposed (NFD: a + dot below + breve, a + grave),
// and decomposed with its marks in a non-canonical order (breve first), which NFC must reorder.
const std::string dat_hang_nfc = "\u0110\u1EB7t h\u00E0ng";
const std::string dat_hang_nfd = "\u0110a\u0323\u0306t ha\u0300ng";
const std::string dat_hang_unordered = "\u0110a\u0306\u0323t ha\u0300ng";

std::string fold_or_fail(std::string_view s, accent_mode a) {
    auto f = text::fold(s, a);
    BOOST_REQUIRE_MESSAGE(f, "fold failed for " << s);
    return *f;
}

} // namespace

BOOST_AUTO_TEST_SUITE(text_match)

BOOST_AUTO_TEST_CASE(nfc_composes_decomposed_vietnamese) {
    BOOST_TEST(*text::nfc(dat_hang_nfd) == dat_hang_nfc);
    BOOST_TEST(*text::nfc(dat_hang_unordered) == dat_hang_nfc);
    BOOST_TEST(*text::nfc(dat_hang_nfc) == dat_hang_nfc);
    BOOST_TEST(*text::nfc("ĐẶT") == "ĐẶT"); // NFC alone keeps case
}

BOOST_AUTO_TEST_CASE(case_fold_keeps_accents_and_normalises) {
    BOOST_TEST(*text::case_fold("ĐẶT HÀNG") == "đặt hàng");
    BOOST_TEST(*text::case_fold(dat_hang_nfd) == "đặt hàng");
    BOOST_TEST(*text::case_fold(dat_hang_unordered) == "đặt hàng");
    BOOST_TEST(*text::case_fold("Khiếu Nại") == "khiếu nại");
    BOOST_TEST(*text::case_fold("gia") != *text::case_fold("giá"));
    BOOST_TEST(fold_or_fail("ĐẶT HÀNG", accent_mode::sensitive) == "đặt hàng");
}

BOOST_AUTO_TEST_CASE(accent_fold_strips_marks_and_the_stroke_of_d) {
    for (const auto& s : {dat_hang_nfc, dat_hang_nfd, dat_hang_unordered, std::string("ĐẶT HÀNG"),
                          std::string("dat hang"), std::string("DAT HANG"), std::string("đặt hàng")})
        BOOST_TEST(*text::accent_fold(s) == "dat hang", "accent_fold(" << s << ")");
    BOOST_TEST(*text::accent_fold("Khiếu Nại") == "khieu nai");
    BOOST_TEST(*text::accent_fold("Đ") == "d");     // U+0110: no Unicode decomposition
    BOOST_TEST(*text::accent_fold("đ") == "d");     // U+0111
    BOOST_TEST(*text::accent_fold("Ðặt") == "dat"); // U+00D0 (eth), what legacy encodings give for Đ
    BOOST_TEST(*text::accent_fold("thư mua ĐỒ") == "thu mua do");
    BOOST_TEST(fold_or_fail("Ưu Đãi", accent_mode::insensitive) == "uu dai");
    // Only accents go: letters of other scripts stay, composed (Hangul is not left as jamo).
    BOOST_TEST(*text::accent_fold("한국 Ça") == "한국 ca");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_refused_not_guessed) {
    BOOST_TEST(!text::nfc("mua \xff"));
    BOOST_TEST(!text::case_fold("\xc3"));
    BOOST_TEST(!text::accent_fold("\xe1\xba"));
    BOOST_TEST(!text::match_form("\xff", accent_mode::insensitive));
}

BOOST_AUTO_TEST_CASE(word_characters_are_unicode_aware) {
    BOOST_TEST(text::is_word_char('a'));
    BOOST_TEST(text::is_word_char(0x01B0)); // ư
    BOOST_TEST(text::is_word_char(0x0111)); // đ
    BOOST_TEST(text::is_word_char(0x0300)); // combining grave
    BOOST_TEST(text::is_word_char('5'));
    BOOST_TEST(text::is_word_char('_'));
    BOOST_TEST(text::is_word_char(0x4E2D)); // 中
    BOOST_TEST(!text::is_word_char(' '));
    BOOST_TEST(!text::is_word_char('!'));
    BOOST_TEST(!text::is_word_char(','));
    BOOST_TEST(!text::is_word_char(0x1F600)); // 😀
    BOOST_TEST(!text::is_word_char(0x00A0));  // no-break space
    BOOST_TEST(!text::is_word_char(-1));
}

BOOST_AUTO_TEST_CASE(word_boundaries) {
    auto m = [](std::string_view message, std::string_view keyword) { return text::matches(message, keyword); };
    // Separated by spaces, punctuation, emoji, or the ends of the text.
    BOOST_TEST(m("mua 2 cái", "mua"));
    BOOST_TEST(m("Mua!", "mua"));
    BOOST_TEST(m("mua", "mua"));
    BOOST_TEST(m("em muốn mua", "mua"));
    BOOST_TEST(m("(mua)", "mua"));
    BOOST_TEST(m("shop ơi,mua.", "mua"));
    BOOST_TEST(m("mua😀", "mua"));
    BOOST_TEST(m("😀mua", "mua"));
    BOOST_TEST(m("👍mua👍", "mua"));
    BOOST_TEST(m("Mua\u00A0hàng", "mua")); // no-break space
    BOOST_TEST(m("thư mua", "mua"));
    // Inside a word, whatever the script of the neighbour.
    BOOST_TEST(!m("muaxyz", "mua"));
    BOOST_TEST(!m("xyzmua", "mua"));
    BOOST_TEST(!m("thưmua", "mua")); // ư: one letter, two bytes that isalnum calls punctuation
    BOOST_TEST(!m("muaư", "mua"));
    BOOST_TEST(!m("muađ", "mua"));
    BOOST_TEST(!m("đmua", "mua"));
    BOOST_TEST(!m("中mua", "mua"));
    BOOST_TEST(!m("mua2", "mua")); // digits continue a word, as \w says
    BOOST_TEST(!m("mua_", "mua"));
    BOOST_TEST(!m("", "mua"));
    BOOST_TEST(!m("mua", ""));
    // A later occurrence counts when an earlier one is inside a word.
    BOOST_TEST(m("muaxyz mua", "mua"));
}

BOOST_AUTO_TEST_CASE(word_boundaries_in_accent_sensitive_mode) {
    auto m = [](std::string_view message, std::string_view keyword) {
        return text::matches(message, keyword, accent_mode::sensitive);
    };
    BOOST_TEST(m("giá bao nhiêu?", "giá"));
    BOOST_TEST(m("GIÁ?", "giá"));
    BOOST_TEST(!m("gia đình", "giá"));
    BOOST_TEST(!m("thưmua", "mua"));
    // A decomposed message against a composed keyword (and the other way round).
    BOOST_TEST(m("cho mình " + dat_hang_nfd + " nhé", "đặt hàng"));
    BOOST_TEST(m("đặt hàng", dat_hang_nfd));
    // Accents the message does not have are not ignored.
    BOOST_TEST(!m("dat hang", "đặt hàng"));
    // A combining mark NFC can't absorb still belongs to its letter: "mua" + U+0331 is no "mua".
    BOOST_TEST(!m("mua\u0331 nhé", "mua"));
}

BOOST_AUTO_TEST_CASE(accent_insensitive_matching) {
    BOOST_TEST(text::matches(dat_hang_nfc, "dat hang"));
    BOOST_TEST(text::matches(dat_hang_nfd, "dat hang"));
    BOOST_TEST(text::matches("Shop ơi cho mình ĐẶT HÀNG", "đặt hàng"));
    BOOST_TEST(text::matches("dat hang", "Đặt Hàng"));
    BOOST_TEST(text::matches("gia đình", "giá")); // the price of insensitivity: rules opt out
    BOOST_TEST(!text::matches("thumua", "mua"));
}

BOOST_AUTO_TEST_CASE(spaces_and_lookalike_punctuation_are_uniform) {
    BOOST_TEST(*text::match_form("  Đặt \t\n Hàng  ", accent_mode::insensitive) == "dat hang");
    BOOST_TEST(*text::match_form("đặt\u2028hàng", accent_mode::sensitive) == "đặt hàng");
    BOOST_TEST(text::matches("Tôi muốn đặt\n  hàng ngay", "dat hang"));
    BOOST_TEST(text::matches("đặt\u00A0hàng", "dat hang"));
    BOOST_TEST(text::matches("Shop\u2019s price", "shop's")); // a phone's apostrophe
    BOOST_TEST(!text::matches("đặthàng", "dat hang"));
}

BOOST_AUTO_TEST_CASE(keywords_that_are_not_words_at_an_edge) {
    // The boundary applies only where the keyword's own edge is a word character.
    BOOST_TEST(text::matches("giảm giá #sale hôm nay", "#sale"));
    BOOST_TEST(text::matches("x#sale", "#sale"));
    BOOST_TEST(!text::matches("#salex", "#sale"));
    BOOST_TEST(text::matches("còn hàng??", "??"));
}

BOOST_AUTO_TEST_CASE(substring_mode_ignores_boundaries) {
    BOOST_TEST(text::matches("free shipping", "ship", accent_mode::insensitive, match_mode::substring));
    BOOST_TEST(!text::matches("free shipping", "ship", accent_mode::insensitive, match_mode::word));
    BOOST_TEST(text::matches("thưmua", "mua", accent_mode::sensitive, match_mode::substring));
    BOOST_TEST(!text::contains("abc", "", match_mode::substring));
}

BOOST_AUTO_TEST_CASE(find_keyword_reports_which_matched) {
    const std::vector<std::string> keywords = {"order", "dat hang", "mua"};
    auto form = *text::match_form("Mình muốn MUA, đặt hàng luôn", accent_mode::insensitive);
    auto k = text::find_keyword(form, keywords, match_mode::word);
    BOOST_REQUIRE(k);
    BOOST_TEST(*k == 1u); // the first keyword in list order, not in message order
    BOOST_TEST(!text::find_keyword("xin chao", keywords, match_mode::word));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------

namespace {

const char* const seed_rules = R"({
  "rules": [
    { "tag": "Đặt hàng", "keywords": ["đặt hàng", "mua", "order"] },
    { "name": "price", "tag": "Hỏi giá", "keywords": ["giá", "price"], "accent_sensitive": true },
    { "tag": "Khiếu nại", "keywords": ["khieu nai", "complaint"] },
    { "tag": "Vận chuyển", "keywords": ["ship"], "match": "substring" },
    { "name": "orders again", "tag": "đặt HÀNG", "keywords": ["chốt đơn"] }
  ]
})";

wf::keyword_rules load(std::string_view config) {
    auto r = wf::keyword_rules::parse(config);
    BOOST_REQUIRE_MESSAGE(r, "config refused: " << (r ? "" : r.error().message));
    return std::move(*r);
}

using tags = std::vector<std::string>;

} // namespace

BOOST_AUTO_TEST_SUITE(keyword_rules)

BOOST_AUTO_TEST_CASE(loads_rules_with_defaults) {
    auto rules = load(seed_rules);
    BOOST_REQUIRE_EQUAL(rules.rules().size(), 5u);
    const auto& first = rules.rules()[0];
    BOOST_TEST(first.name == "Đặt hàng"); // the tag, when no name is given
    BOOST_TEST(first.tag == "Đặt hàng");
    BOOST_TEST((first.keywords == tags{"đặt hàng", "mua", "order"}));
    BOOST_TEST((first.match == match_mode::word));
    BOOST_TEST((first.accents == accent_mode::insensitive));
    BOOST_TEST(rules.rules()[1].name == "price");
    BOOST_TEST((rules.rules()[1].accents == accent_mode::sensitive));
    BOOST_TEST((rules.rules()[3].match == match_mode::substring));
}

BOOST_AUTO_TEST_CASE(tags_for_messages) {
    auto rules = load(seed_rules);
    BOOST_TEST((rules.tags_for("Shop ơi, GIÁ bao nhiêu? Mình muốn ĐẶT HÀNG") == tags{"Đặt hàng", "Hỏi giá"}));
    BOOST_TEST((rules.tags_for("dat hang 2 cai") == tags{"Đặt hàng"}));
    BOOST_TEST((rules.tags_for(dat_hang_nfd) == tags{"Đặt hàng"}));
    BOOST_TEST((rules.tags_for("Mua!") == tags{"Đặt hàng"}));
    BOOST_TEST((rules.tags_for("thưmua") == tags{}));
    BOOST_TEST((rules.tags_for("xin chào") == tags{}));
    BOOST_TEST((rules.tags_for("") == tags{}));
    // accent-sensitive: "gia đình" (family) is no price question, "giá" is.
    BOOST_TEST((rules.tags_for("gia đình mình") == tags{}));
    BOOST_TEST((rules.tags_for("price?") == tags{"Hỏi giá"}));
    // substring: "ship" inside "shipping".
    BOOST_TEST((rules.tags_for("free shipping không") == tags{"Vận chuyển"}));
    // Rule order, not message order; every rule that fires.
    BOOST_TEST((rules.tags_for("complaint about shipping, muốn khiếu nại và order lại") ==
                tags{"Đặt hàng", "Khiếu nại", "Vận chuyển"}));
}

BOOST_AUTO_TEST_CASE(a_tag_named_twice_is_returned_once_as_first_spelled) {
    auto rules = load(seed_rules);
    auto m = rules.matches("mua luôn, chốt đơn");
    BOOST_REQUIRE_EQUAL(m.size(), 2u);
    BOOST_TEST((m[0] == rule_match{0, 1})); // rule 0 through "mua"
    BOOST_TEST((m[1] == rule_match{4, 0})); // rule 4 through "chốt đơn"
    BOOST_TEST((rules.tags_for("mua luôn, chốt đơn") == tags{"Đặt hàng"}));
    BOOST_TEST((rules.tags_for("chốt đơn") == tags{"đặt HÀNG"}));
}

BOOST_AUTO_TEST_CASE(matches_name_the_first_keyword_in_rule_order) {
    auto rules = load(seed_rules);
    auto m = rules.matches("order, mua, đặt hàng");
    BOOST_REQUIRE_EQUAL(m.size(), 1u);
    BOOST_TEST(m[0].rule == 0u);
    BOOST_TEST(m[0].keyword == 0u); // "đặt hàng" is listed first
    BOOST_TEST(rules.rules()[m[0].rule].keywords[m[0].keyword] == "đặt hàng");
}

BOOST_AUTO_TEST_CASE(empty_rule_list_matches_nothing) {
    auto rules = load(R"({"rules": []})");
    BOOST_TEST(rules.rules().empty());
    BOOST_TEST(rules.tags_for("mua").empty());
    BOOST_TEST(wf::keyword_rules{}.tags_for("mua").empty());
}

BOOST_AUTO_TEST_CASE(invalid_utf8_message_matches_nothing) {
    auto rules = load(seed_rules);
    BOOST_TEST(rules.matches("mua \xff").empty());
}

BOOST_AUTO_TEST_CASE(rules_built_in_code_are_checked_and_folded) {
    keyword_rule r;
    r.tag = "Đặt hàng";
    r.keywords = {"ĐẶT  HÀNG"};
    auto ok = wf::keyword_rules::from_rules({r});
    BOOST_REQUIRE(ok);
    BOOST_TEST((ok->tags_for("đặt hàng") == tags{"Đặt hàng"}));

    r.keywords = {"ok", "bad \xff"};
    auto bad = wf::keyword_rules::from_rules({r});
    BOOST_REQUIRE(!bad);
    BOOST_TEST(bad.error().code == make_error_code(error::config_invalid_value));
    BOOST_TEST(bad.error().field == "rules[0].keywords[1]");

    r.keywords.clear();
    bad = wf::keyword_rules::from_rules({r});
    BOOST_REQUIRE(!bad);
    BOOST_TEST(bad.error().field == "rules[0].keywords");
}

namespace {

struct config_case {
    std::string_view config;
    error code;
    std::string_view field;
    std::optional<std::size_t> rule_index;
    std::string_view rule_name;
    std::string_view message;
};

// One case per way a configuration can be wrong. The message is checked whole: it is what an
// operator reads.
const config_case config_cases[] = {
    {R"({"rules": [)", error::config_not_json, "", {}, "", ""},
    {R"([])", error::config_wrong_type, "", {}, "", "must be a JSON object {\"rules\": [...]}, not an array"},
    {R"({})", error::config_missing_field, "rules", {}, "", "rules: missing (an array of rules)"},
    {R"({"rules": {}})", error::config_wrong_type, "rules", {}, "", "rules: must be an array of rules, not an object"},
    {R"({"rules": [], "rule": []})",
     error::config_unknown_field,
     "rule",
     {},
     "",
     "rule: unknown field (the configuration has only \"rules\")"},
    {R"({"rules": [1]})", error::config_wrong_type, "rules[0]", 0, "", "rules[0]: must be an object, not a number"},
    {R"({"rules": [{"keywords": ["a"]}]})", error::config_missing_field, "rules[0].tag", 0, "",
     "rules[0].tag: missing (the name of the tag to apply)"},
    {R"({"rules": [{"name": "n", "keywords": ["a"]}]})", error::config_missing_field, "rules[0].tag", 0, "n",
     "rules[0].tag: missing (the name of the tag to apply) (rule \"n\")"},
    {R"({"rules": [{"tag": 5, "keywords": ["a"]}]})", error::config_wrong_type, "rules[0].tag", 0, "",
     "rules[0].tag: must be a string (a tag name), not a number"},
    {R"({"rules": [{"tag": " \t ", "keywords": ["a"]}]})", error::config_invalid_value, "rules[0].tag", 0, "",
     "rules[0].tag: must name a tag (it is blank)"},
    {R"({"rules": [{"name": 3, "tag": "t", "keywords": ["a"]}]})", error::config_wrong_type, "rules[0].name", 0, "",
     "rules[0].name: must be a string, not a number"},
    {R"({"rules": [{"tag": "t"}]})", error::config_missing_field, "rules[0].keywords", 0, "t",
     "rules[0].keywords: missing (a non-empty array of strings) (rule \"t\")"},
    {R"({"rules": [{"tag": "a", "keywords": ["a"]}, {"tag": "b", "keywords": ["b"]},
                   {"name": "hỏi giá", "tag": "Hỏi giá", "keywords": "giá"}]})",
     error::config_wrong_type, "rules[2].keywords", 2, "hỏi giá",
     "rules[2].keywords: must be a non-empty array of strings, not a string (rule \"hỏi giá\")"},
    {R"({"rules": [{"tag": "t", "keywords": []}]})", error::config_invalid_value, "rules[0].keywords", 0, "t",
     "rules[0].keywords: must be a non-empty array of strings, not an empty one (rule \"t\")"},
    {R"({"rules": [{"tag": "t", "keywords": ["ok", 5]}]})", error::config_wrong_type, "rules[0].keywords[1]", 0, "t",
     "rules[0].keywords[1]: must be a string, not a number (rule \"t\")"},
    {R"({"rules": [{"tag": "t", "keywords": ["ok", " \n "]}]})", error::config_invalid_value, "rules[0].keywords[1]", 0,
     "t", "rules[0].keywords[1]: must have something to match (it is blank) (rule \"t\")"},
    {R"({"rules": [{"tag": "t", "keywords": ["a"], "match": "regex"}]})", error::config_invalid_value, "rules[0].match",
     0, "t", "rules[0].match: must be \"word\" or \"substring\" (rule \"t\")"},
    {R"({"rules": [{"tag": "t", "keywords": ["a"], "match": true}]})", error::config_wrong_type, "rules[0].match", 0,
     "t", "rules[0].match: must be \"word\" or \"substring\", not a boolean (rule \"t\")"},
    {R"({"rules": [{"tag": "t", "keywords": ["a"], "accent_sensitive": "yes"}]})", error::config_wrong_type,
     "rules[0].accent_sensitive", 0, "t",
     "rules[0].accent_sensitive: must be true or false, not a string (rule \"t\")"},
    {R"({"rules": [{"tag": "t", "keywords": ["a"], "accent_sensitive": null}]})", error::config_wrong_type,
     "rules[0].accent_sensitive", 0, "t", "rules[0].accent_sensitive: must be true or false, not null (rule \"t\")"},
    {R"({"rules": [{"tag": "a", "keywords": ["a"]}, {"name": "Colours", "tag": "b", "keywords": ["b"], "colour": "red"}]})",
     error::config_unknown_field, "rules[1].colour", 1, "Colours",
     "rules[1].colour: unknown field (a rule has name, tag, keywords, match, accent_sensitive) (rule \"Colours\")"},
};

} // namespace

BOOST_AUTO_TEST_CASE(each_config_error_names_its_field_and_rule) {
    for (const auto& c : config_cases) {
        BOOST_TEST_CONTEXT("config " << c.config) {
            auto r = wf::keyword_rules::parse(c.config);
            BOOST_REQUIRE(!r);
            const auto& e = r.error();
            BOOST_TEST(e.code == make_error_code(c.code), e.code.message());
            BOOST_TEST(e.code.category().name() == std::string("pancake.workflow"));
            BOOST_TEST(e.field == c.field);
            BOOST_TEST((e.rule_index == c.rule_index));
            BOOST_TEST(e.rule_name == c.rule_name);
            if (!c.message.empty())
                BOOST_TEST(e.message == c.message);
            else
                BOOST_TEST(e.message.starts_with("not valid JSON ("));
        }
    }
}

BOOST_AUTO_TEST_CASE(value_throws_the_config_error) {
    auto r = wf::keyword_rules::parse(R"({"rules": [{"tag": "t", "keywords": "mua"}]})");
    BOOST_REQUIRE(!r);
    try {
        (void)r.value();
        BOOST_FAIL("value() did not throw");
    } catch (const config_exception& e) {
        BOOST_TEST(e.code() == make_error_code(error::config_wrong_type));
        BOOST_TEST(std::string(e.what()).find("rules[0].keywords: must be a non-empty array of strings") !=
                   std::string::npos);
        BOOST_TEST(e.get_error().field == "rules[0].keywords");
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------

namespace {

user_id uid(std::string_view s) { return user_id(s); }

std::vector<user_id> ids(std::initializer_list<std::string_view> names) {
    std::vector<user_id> out;
    for (auto n : names)
        out.push_back(uid(n));
    return out;
}

user staff_user(std::string_view id, std::string status = "available", std::string in_page = "active",
                bool online = true) {
    user u;
    u.id = uid(id);
    u.name = "Staff " + std::string(id);
    u.status = std::move(status);
    u.status_in_page = std::move(in_page);
    u.is_online = online;
    return u;
}

// A cursor store that fails on demand, to see errors come through the assigners.
class failing_store final : public cursor_store {
public:
    bool fail_load = false;
    bool fail_save = false;
    memory_cursor_store inner;

private:
    store_result<std::optional<user_id>> do_load(const page_id& p, std::string_view lane) override {
        if (fail_load) return make_error_code(boost::system::errc::io_error);
        return inner.load(p, lane);
    }
    store_result<void> do_save(const page_id& p, std::string_view lane, const user_id& last) override {
        if (fail_save) return make_error_code(boost::system::errc::no_space_on_device);
        return inner.save(p, last, lane);
    }
};

// A fresh folder per test, removed afterwards.
struct temp_dir {
    fs::path path;
    temp_dir() {
        static int n = 0;
        path = fs::temp_directory_path() /
               ("pancake_workflow_test_" + std::to_string(::getpid()) + "_" + std::to_string(++n));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string read_all(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_all(const fs::path& p, std::string_view s) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << s;
}

const page_id the_page{"100000000000001"};

user_id next_or_fail(round_robin_assigner& rr, std::span<const user_id> eligible) {
    auto r = rr.next(the_page, eligible);
    BOOST_REQUIRE(r);
    BOOST_REQUIRE(*r);
    return **r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(assigners)

BOOST_AUTO_TEST_CASE(eligibility_from_the_users_listing) {
    BOOST_TEST(eligible_for_assignment(staff_user("a")));
    BOOST_TEST(eligible_for_assignment(staff_user("a", "available", "active", false)));
    BOOST_TEST(!eligible_for_assignment(staff_user("a", "available", "active", false), {.require_online = true}));
    BOOST_TEST(eligible_for_assignment(staff_user("a"), {.require_online = true}));
    BOOST_TEST(!eligible_for_assignment(staff_user("a", "busy")));
    BOOST_TEST(!eligible_for_assignment(staff_user("a", "offline")));
    BOOST_TEST(!eligible_for_assignment(staff_user("a", "available", "inactive")));
    BOOST_TEST(!eligible_for_assignment(staff_user("")));
    BOOST_TEST(!eligible_for_assignment(disabled_user{uid("d"), "Former", std::nullopt}));

    users_snapshot s;
    s.users = {staff_user("c"), staff_user("a"), staff_user("b", "busy"), staff_user("e", "available", "active", false),
               staff_user("d"), staff_user("a")};
    s.disabled_users = {disabled_user{uid("d"), "Left last week", std::nullopt},
                        disabled_user{uid("x"), "Long gone", std::nullopt}};
    BOOST_TEST((eligible_staff(s) == ids({"a", "c", "e"}))); // sorted, once each, d is disabled
    BOOST_TEST((eligible_staff(s, {.require_online = true}) == ids({"a", "c"})));

    // Former staff can still be named in history.
    auto gone = find_staff(s, uid("x"));
    BOOST_REQUIRE(gone);
    BOOST_TEST(gone->name == "Long gone");
    BOOST_TEST(gone->disabled);
    auto both = find_staff(s, uid("d"));
    BOOST_REQUIRE(both);
    BOOST_TEST(both->disabled);
    auto current = find_staff(s, uid("b"));
    BOOST_REQUIRE(current);
    BOOST_TEST(!current->disabled);
    BOOST_TEST(!find_staff(s, uid("nobody")));
}

BOOST_AUTO_TEST_CASE(eligibility_of_the_spec_example) {
    auto snap = boost::json::parse(R"({"success": true,
        "users": [{"id": "c4bafd84-1", "name": "Anh Ngoc Nguyen", "status": "available", "fb_id": "116256249766099",
                   "page_permissions": null, "status_in_page": "active", "is_online": false},
                  {"id": "b0000000-2", "name": "Busy", "status": "busy", "status_in_page": "active", "is_online": true}],
        "disabled_users": [{"id": "69586d78-3", "name": "Khanh khanh", "fb_id": "1736243166628197"}],
        "round_robin_users": {"comment": [], "inbox": ["c4bafd84-1"]}})");
    auto s = decode<users_snapshot>(snap);
    BOOST_REQUIRE(s);
    BOOST_TEST((eligible_staff(*s) == ids({"c4bafd84-1"})));
    BOOST_TEST(eligible_staff(*s, {.require_online = true}).empty());
}

BOOST_AUTO_TEST_CASE(next_in_rotation_follows_id_order_and_wraps) {
    const auto staff = ids({"c", "a", "b"});
    BOOST_TEST(!next_in_rotation({}, std::nullopt));
    BOOST_TEST(!next_in_rotation({}, uid("a")));
    BOOST_TEST(*next_in_rotation(staff, std::nullopt) == uid("a"));
    BOOST_TEST(*next_in_rotation(staff, uid("a")) == uid("b"));
    BOOST_TEST(*next_in_rotation(staff, uid("b")) == uid("c"));
    BOOST_TEST(*next_in_rotation(staff, uid("c")) == uid("a"));
    // The last one left: carry on from where they stood.
    BOOST_TEST(*next_in_rotation(ids({"a", "c"}), uid("b")) == uid("c"));
    BOOST_TEST(*next_in_rotation(ids({"a", "c"}), uid("d")) == uid("a"));
    BOOST_TEST(*next_in_rotation(ids({"a"}), uid("a")) == uid("a"));
    BOOST_TEST(*next_in_rotation(ids({"b", "b", "a"}), uid("a")) == uid("b"));
}

BOOST_AUTO_TEST_CASE(three_staff_share_300_evenly) {
    memory_cursor_store store;
    round_robin_assigner rr(store);
    const auto staff = ids({"u-2", "u-3", "u-1"});
    std::map<user_id, int> count;
    std::optional<user_id> prev;
    for (int i = 0; i < 300; ++i) {
        auto who = next_or_fail(rr, staff);
        ++count[who];
        BOOST_TEST((who != prev), "twice in a row at " << i);
        prev = who;
    }
    BOOST_TEST(count.size() == 3u);
    for (auto& [who, n] : count)
        BOOST_TEST(n == 100, who << " got " << n);
}

BOOST_AUTO_TEST_CASE(the_input_order_does_not_matter) {
    memory_cursor_store s1, s2;
    round_robin_assigner a(s1), b(s2);
    auto staff = ids({"a", "b", "c", "d", "e"});
    std::mt19937 rng(7);
    for (int i = 0; i < 50; ++i) {
        auto shuffled = staff;
        std::shuffle(shuffled.begin(), shuffled.end(), rng);
        BOOST_TEST(next_or_fail(a, staff) == next_or_fail(b, shuffled));
    }
}

BOOST_AUTO_TEST_CASE(someone_going_offline_leaves_the_others_even) {
    memory_cursor_store store;
    round_robin_assigner rr(store);
    const auto everyone = ids({"a", "b", "c"});
    const auto without_b = ids({"a", "c"});
    std::map<user_id, int> first_half, second_half;
    std::optional<user_id> prev;
    for (int i = 0; i < 300; ++i) {
        auto who = next_or_fail(rr, i < 150 ? everyone : without_b);
        ++(i < 150 ? first_half : second_half)[who];
        BOOST_TEST((who != prev), "twice in a row at " << i);
        prev = who;
    }
    BOOST_TEST(first_half[uid("a")] == 50);
    BOOST_TEST(first_half[uid("b")] == 50);
    BOOST_TEST(first_half[uid("c")] == 50);
    BOOST_TEST(second_half[uid("a")] == 75);
    BOOST_TEST(second_half[uid("c")] == 75);
    BOOST_TEST(!second_half.contains(uid("b")));
}

BOOST_AUTO_TEST_CASE(when_the_last_assigned_leaves_the_rotation_continues_from_their_place) {
    memory_cursor_store store;
    round_robin_assigner rr(store);
    const auto everyone = ids({"a", "b", "c", "d"});
    BOOST_TEST(next_or_fail(rr, everyone) == uid("a"));
    BOOST_TEST(next_or_fail(rr, everyone) == uid("b"));
    // b goes offline right after their turn: c is next, not a (an index cursor would say d).
    const auto without_b = ids({"a", "c", "d"});
    BOOST_TEST(next_or_fail(rr, without_b) == uid("c"));
    BOOST_TEST(next_or_fail(rr, without_b) == uid("d"));
    BOOST_TEST(next_or_fail(rr, without_b) == uid("a"));
    // b is back: their turn comes at their place.
    BOOST_TEST(next_or_fail(rr, everyone) == uid("b"));
}

BOOST_AUTO_TEST_CASE(someone_joining_takes_their_stable_place) {
    memory_cursor_store store;
    round_robin_assigner rr(store);
    BOOST_TEST(next_or_fail(rr, ids({"a", "c", "e"})) == uid("a"));
    // b joins between a and c: next.
    const auto with_b = ids({"a", "b", "c", "e"});
    std::vector<user_id> order;
    for (int i = 0; i < 8; ++i)
        order.push_back(next_or_fail(rr, with_b));
    BOOST_TEST((order == ids({"b", "c", "e", "a", "b", "c", "e", "a"})));

    // And over many turns a newcomer gets an equal share.
    std::map<user_id, int> count;
    const auto with_d = ids({"a", "b", "c", "d", "e"});
    for (int i = 0; i < 500; ++i)
        ++count[next_or_fail(rr, with_d)];
    for (auto& [who, n] : count)
        BOOST_TEST(n == 100, who << " got " << n);
}

BOOST_AUTO_TEST_CASE(alone_means_every_time) {
    memory_cursor_store store;
    round_robin_assigner rr(store);
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(next_or_fail(rr, ids({"solo"})) == uid("solo"));
}

BOOST_AUTO_TEST_CASE(nobody_eligible_leaves_the_cursor_alone) {
    memory_cursor_store store;
    round_robin_assigner rr(store);
    BOOST_TEST(next_or_fail(rr, ids({"a", "b"})) == uid("a"));
    auto none = rr.next(the_page, {});
    BOOST_REQUIRE(none);
    BOOST_TEST(!*none);
    BOOST_TEST(*store.load(the_page).value() == uid("a"));
    BOOST_TEST(next_or_fail(rr, ids({"a", "b"})) == uid("b"));
}

BOOST_AUTO_TEST_CASE(peek_does_not_move_the_cursor) {
    memory_cursor_store store;
    round_robin_assigner rr(store);
    const auto staff = ids({"a", "b"});
    BOOST_TEST(*rr.peek(the_page, staff).value() == uid("a"));
    BOOST_TEST(*rr.peek(the_page, staff).value() == uid("a"));
    BOOST_TEST(next_or_fail(rr, staff) == uid("a"));
    BOOST_TEST(*rr.peek(the_page, staff).value() == uid("b"));
}

BOOST_AUTO_TEST_CASE(pages_and_lanes_rotate_separately) {
    memory_cursor_store store;
    round_robin_assigner primary(store), other(store, "night shift");
    const auto staff = ids({"a", "b", "c"});
    const page_id page2{"200000000000002"};
    BOOST_TEST(next_or_fail(primary, staff) == uid("a"));
    BOOST_TEST(next_or_fail(primary, staff) == uid("b"));
    BOOST_TEST(**primary.next(page2, staff) == uid("a"));
    BOOST_TEST(next_or_fail(other, staff) == uid("a"));
    BOOST_TEST(next_or_fail(primary, staff) == uid("c"));
}

BOOST_AUTO_TEST_CASE(store_errors_come_through) {
    failing_store store;
    round_robin_assigner rr(store);
    store.fail_load = true;
    auto r = rr.next(the_page, ids({"a"}));
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error() == boost::system::errc::io_error);
    store.fail_load = false;
    store.fail_save = true;
    r = rr.next(the_page, ids({"a"}));
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error() == boost::system::errc::no_space_on_device);
    store.fail_save = false;
    BOOST_TEST(next_or_fail(rr, ids({"a", "b"})) == uid("a")); // the failed turn did not count
}

BOOST_AUTO_TEST_CASE(least_loaded_picks_the_fewest_open_conversations) {
    const auto staff = ids({"c", "a", "b"});
    BOOST_TEST(!least_loaded({}, {}));
    BOOST_TEST(*least_loaded(staff, {{uid("a"), 5}, {uid("b"), 2}, {uid("c"), 9}}) == uid("b"));
    // Missing from the map: no load.
    BOOST_TEST(*least_loaded(staff, {{uid("a"), 5}, {uid("b"), 2}}) == uid("c"));
    // Loads of people who are not eligible don't matter.
    BOOST_TEST(*least_loaded(ids({"a", "c"}), {{uid("a"), 5}, {uid("b"), 0}, {uid("c"), 6}}) == uid("a"));
}

BOOST_AUTO_TEST_CASE(least_loaded_ties_follow_the_stable_order) {
    const auto staff = ids({"d", "b", "c", "a"});
    const staff_load tie = {{uid("a"), 3}, {uid("b"), 1}, {uid("c"), 3}, {uid("d"), 1}};
    BOOST_TEST(*least_loaded(staff, tie) == uid("b"));           // b and d tie: b first
    BOOST_TEST(*least_loaded(staff, tie, uid("b")) == uid("d")); // after b: d
    BOOST_TEST(*least_loaded(staff, tie, uid("c")) == uid("d")); // after c: d
    BOOST_TEST(*least_loaded(staff, tie, uid("d")) == uid("b")); // after d: wrap to b
    BOOST_TEST(*least_loaded(staff, {}, uid("a")) == uid("b"));  // all zero: rotate from a

    // Taking turns on ties keeps loads level: 40 new conversations on equal staff.
    staff_load load;
    std::optional<user_id> last;
    for (int i = 0; i < 40; ++i) {
        auto who = *least_loaded(staff, load, last);
        ++load[who];
        last = who;
    }
    for (auto& u : staff)
        BOOST_TEST(load[u] == 10u);
}

namespace {

const tag_id vip_tag{7};

std::vector<routing_rule> routing() {
    routing_rule vip;
    vip.name = "vip";
    vip.vip = true;
    vip.staff = ids({"v1", "v2"});
    routing_rule english;
    english.name = "english";
    english.language = "en";
    english.staff = ids({"e1"});
    routing_rule complaints;
    complaints.name = "complaints";
    complaints.tag = vip_tag;
    complaints.staff = ids({"lead"});
    return {vip, english, complaints};
}

} // namespace

BOOST_AUTO_TEST_CASE(rule_conditions) {
    auto rules = routing();
    routing_facts f;
    BOOST_TEST(!rule_based_assigner::applies(rules[0], f));
    f.vip = true;
    BOOST_TEST(rule_based_assigner::applies(rules[0], f));
    f.language = "EN-us";
    BOOST_TEST(rule_based_assigner::applies(rules[1], f));
    f.language = "eng";
    BOOST_TEST(!rule_based_assigner::applies(rules[1], f));
    f.language = "e";
    BOOST_TEST(!rule_based_assigner::applies(rules[1], f));
    BOOST_TEST(!rule_based_assigner::applies(rules[2], f));
    f.tags = {tag_id{1}, vip_tag};
    BOOST_TEST(rule_based_assigner::applies(rules[2], f));
    BOOST_TEST(rule_based_assigner::applies(routing_rule{}, routing_facts{})); // no conditions: always
    routing_rule not_vip;
    not_vip.vip = false;
    BOOST_TEST(!rule_based_assigner::applies(not_vip, f));
}

BOOST_AUTO_TEST_CASE(rules_route_to_their_staff_and_fall_back_to_round_robin) {
    memory_cursor_store store;
    rule_based_assigner ra(store, routing());
    const auto everyone = ids({"a", "b", "e1", "lead", "v1", "v2"});
    auto next = [&](const routing_facts& f, std::span<const user_id> eligible) {
        auto r = ra.next(the_page, f, eligible);
        BOOST_REQUIRE(r);
        BOOST_REQUIRE(*r);
        return **r;
    };
    routing_facts vip{.tags = {}, .language = "vi", .vip = true};
    routing_facts english{.tags = {}, .language = "en-GB", .vip = false};
    routing_facts plain{.tags = {}, .language = "vi", .vip = false};

    auto c = next(vip, everyone);
    BOOST_TEST(c.user == uid("v1"));
    BOOST_TEST((c.rule == std::optional<std::size_t>(0)));
    c = next(english, everyone);
    BOOST_TEST(c.user == uid("e1"));
    BOOST_TEST((c.rule == std::optional<std::size_t>(1)));
    c = next(plain, everyone);
    BOOST_TEST(c.user == uid("a"));
    BOOST_TEST(!c.rule);
    // The fallback is the page's main rotation, shared with a plain round robin.
    round_robin_assigner rr(store);
    BOOST_TEST(next_or_fail(rr, everyone) == uid("b"));
    BOOST_TEST(next(plain, everyone).user == uid("e1"));
    // VIP and English at once: the first rule wins.
    english.vip = true;
    BOOST_TEST(next(english, everyone).user == uid("v2"));
}

BOOST_AUTO_TEST_CASE(a_rule_with_nobody_eligible_falls_through) {
    memory_cursor_store store;
    rule_based_assigner ra(store, routing());
    routing_facts f{.tags = {vip_tag}, .language = "en", .vip = true};
    // VIP staff away: the English rule; English staff away too: the tag rule; then everyone.
    auto r = ra.next(the_page, f, ids({"a", "e1", "lead"}));
    BOOST_REQUIRE(r);
    BOOST_TEST((**r).user == uid("e1"));
    BOOST_TEST(((**r).rule == std::optional<std::size_t>(1)));
    r = ra.next(the_page, f, ids({"a", "lead"}));
    BOOST_TEST((**r).user == uid("lead"));
    r = ra.next(the_page, f, ids({"a", "b"}));
    BOOST_TEST((**r).user == uid("a"));
    BOOST_TEST(!(**r).rule);
    r = ra.next(the_page, f, {});
    BOOST_REQUIRE(r);
    BOOST_TEST(!*r);
}

BOOST_AUTO_TEST_CASE(each_rule_rotates_fairly_whatever_the_other_traffic) {
    memory_cursor_store store;
    rule_based_assigner ra(store, routing());
    const auto everyone = ids({"a", "b", "c", "v1", "v2"});
    routing_facts vip{.tags = {}, .language = "", .vip = true};
    routing_facts plain{};
    std::map<user_id, int> vips;
    std::mt19937 rng(42);
    for (int i = 0; i < 400; ++i) {
        const bool is_vip = rng() % 4 == 0;
        auto r = ra.next(the_page, is_vip ? vip : plain, everyone);
        BOOST_REQUIRE(r);
        if (is_vip) ++vips[(**r).user];
    }
    BOOST_REQUIRE(vips.size() == 2u);
    BOOST_TEST(std::abs(vips[uid("v1")] - vips[uid("v2")]) <= 1);
    BOOST_TEST(ra.lane_of(0) == "rule:vip");
    BOOST_TEST(store.load(the_page, "rule:vip").value().has_value());
}

BOOST_AUTO_TEST_CASE(file_cursor_store_round_trip) {
    temp_dir dir;
    const auto path = dir.path / "cursors.json";
    const page_id page2{"tt_200"};
    {
        file_cursor_store store(path);
        auto none = store.load(the_page);
        BOOST_REQUIRE(none);
        BOOST_TEST(!*none); // no file yet: no cursor, no error
        BOOST_TEST(!fs::exists(path));
        BOOST_REQUIRE(store.save(the_page, uid("c4bafd84-1")));
        BOOST_REQUIRE(store.save(the_page, uid("v2"), "rule:vip"));
        BOOST_REQUIRE(store.save(page2, uid("x")));
        BOOST_REQUIRE(store.save(the_page, uid("c4bafd84-2")));
        BOOST_TEST(*store.load(the_page).value() == uid("c4bafd84-2"));
    }
    BOOST_TEST(fs::exists(path));
    BOOST_TEST(!fs::exists(path.string() + ".tmp"));
    auto doc = boost::json::parse(read_all(path));
    BOOST_TEST(doc.at("version") == 1);
    BOOST_TEST(doc.at("cursors").at("tt_200").at("") == "x");

    file_cursor_store again(path);
    BOOST_TEST(*again.load(the_page).value() == uid("c4bafd84-2"));
    BOOST_TEST(*again.load(the_page, "rule:vip").value() == uid("v2"));
    BOOST_TEST(*again.load(page2).value() == uid("x"));
    BOOST_TEST(!again.load(page2, "rule:vip").value());
    BOOST_TEST(!again.load(page_id("other")).value());
}

BOOST_AUTO_TEST_CASE(file_cursor_store_carries_the_rotation_over_a_restart) {
    temp_dir dir;
    const auto path = dir.path / "cursors.json";
    const auto staff = ids({"a", "b", "c"});
    {
        file_cursor_store store(path);
        round_robin_assigner rr(store);
        BOOST_TEST(next_or_fail(rr, staff) == uid("a"));
        BOOST_TEST(next_or_fail(rr, staff) == uid("b"));
    }
    file_cursor_store store(path);
    round_robin_assigner rr(store);
    BOOST_TEST(next_or_fail(rr, staff) == uid("c"));
    BOOST_TEST(next_or_fail(rr, staff) == uid("a"));
}

BOOST_AUTO_TEST_CASE(corrupt_cursor_files_are_errors_not_crashes) {
    const std::string_view corrupt[] = {
        "",
        "{not json",
        "[]",
        R"({"cursors": {}})",
        R"({"version": 2, "cursors": {}})",
        R"({"version": 1})",
        R"({"version": 1, "cursors": []})",
        R"({"version": 1, "cursors": {"p": "a"}})",
        R"({"version": 1, "cursors": {"p": {"": 5}}})",
        R"({"version": 1, "cursors": {"p": {"": ""}}})",
        R"({"version": 1, "cursors": {"": {"": "a"}}})",
        R"({"version": 1, "cursors": {}, "extra": true})",
        std::string_view("\x00\x01\x02 binary", 10),
    };
    for (auto body : corrupt) {
        BOOST_TEST_CONTEXT("file " << body) {
            temp_dir dir;
            const auto path = dir.path / "cursors.json";
            write_all(path, body);
            file_cursor_store store(path);
            auto r = store.load(the_page);
            BOOST_REQUIRE(!r);
            BOOST_TEST(r.error() == make_error_code(error::cursor_file_corrupt));
            BOOST_TEST(store.last_error().find(path.string()) != std::string::npos, store.last_error());
            // Not overwritten: the operator decides what to keep.
            auto s = store.save(the_page, uid("a"));
            BOOST_REQUIRE(!s);
            BOOST_TEST(s.error() == make_error_code(error::cursor_file_corrupt));
            BOOST_TEST(read_all(path) == body);
            // With a good file in its place, the same store recovers.
            fs::remove(path);
            BOOST_TEST(store.save(the_page, uid("a")).has_value());
            BOOST_TEST(*store.load(the_page).value() == uid("a"));
        }
    }
}

BOOST_AUTO_TEST_CASE(file_cursor_store_io_errors_are_reported) {
    temp_dir dir;
    // A folder where the file should be: reading fails (EISDIR).
    file_cursor_store folder(dir.path);
    auto r = folder.load(the_page);
    BOOST_REQUIRE(!r);
    BOOST_TEST((r.error().category() == boost::system::generic_category()));
    BOOST_TEST(!folder.last_error().empty());
    // A folder that does not exist: nothing to read, and nowhere to write.
    file_cursor_store nowhere(dir.path / "missing" / "cursors.json");
    BOOST_TEST(!nowhere.load(the_page).value());
    auto s = nowhere.save(the_page, uid("a"));
    BOOST_REQUIRE(!s);
    BOOST_TEST(s.error() == boost::system::errc::no_such_file_or_directory);
    BOOST_TEST(!nowhere.load(the_page).value()); // the failed save left no cursor behind
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------

namespace {

std::vector<tag_id> tag_ids(std::initializer_list<std::int64_t> v) {
    std::vector<tag_id> out;
    for (auto i : v)
        out.emplace_back(i);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(tag_diff)

BOOST_AUTO_TEST_CASE(adds_what_is_missing_and_removes_what_is_extra) {
    auto d = diff_tags(tag_ids({1, 2, 3}), tag_ids({3, 4, 1, 5}));
    BOOST_TEST((d.add == tag_ids({4, 5}))); // in desired order
    BOOST_TEST((d.remove == tag_ids({2}))); // in current order
    BOOST_TEST(!d.empty());
}

BOOST_AUTO_TEST_CASE(same_set_in_another_order_is_no_change) {
    BOOST_TEST(diff_tags(tag_ids({3, 1, 2}), tag_ids({1, 2, 3})).empty());
    BOOST_TEST(diff_tags(tag_ids({}), tag_ids({})).empty());
    BOOST_TEST(diff_tags(tag_ids({1, 1}), tag_ids({1})).empty());
}

BOOST_AUTO_TEST_CASE(repeats_count_once) {
    auto d = diff_tags(tag_ids({9, 1, 9, 2}), tag_ids({4, 4, 2, 5, 4}));
    BOOST_TEST((d.add == tag_ids({4, 5})));
    BOOST_TEST((d.remove == tag_ids({9, 1})));
}

BOOST_AUTO_TEST_CASE(clearing_removes_everything_in_order) {
    auto d = diff_tags(tag_ids({5, 0, 3}), {}); // 0 is a valid tag id
    BOOST_TEST(d.add.empty());
    BOOST_TEST((d.remove == tag_ids({5, 0, 3})));
}

BOOST_AUTO_TEST_CASE(from_nothing_adds_everything) {
    auto d = diff_tags({}, tag_ids({0, 7}));
    BOOST_TEST((d.add == tag_ids({0, 7})));
    BOOST_TEST(d.remove.empty());
    BOOST_TEST((d == wf::tag_diff{tag_ids({0, 7}), {}}));
}

BOOST_AUTO_TEST_CASE(works_for_other_ids) {
    const std::vector<user_id> now = {user_id("a"), user_id("b")};
    const std::vector<user_id> want = {user_id("b"), user_id("c")};
    auto d = diff_ids<user_id>(now, want);
    BOOST_TEST((d.add == std::vector<user_id>{user_id("c")}));
    BOOST_TEST((d.remove == std::vector<user_id>{user_id("a")}));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace workflow_test
