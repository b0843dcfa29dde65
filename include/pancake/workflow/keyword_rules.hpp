// Keyword auto-tagging (the seed article's §8): rules that map keywords in a customer's message
// to the name of a tag, loaded from a JSON configuration an operator edits:
//
//   { "rules": [
//       { "tag": "Đặt hàng", "keywords": ["đặt hàng", "mua", "order"] },
//       { "name": "price", "tag": "Hỏi giá", "keywords": ["giá", "price"], "accent_sensitive": true },
//       { "tag": "Vận chuyển", "keywords": ["ship"], "match": "substring" } ] }
//
// A rule fires when any of its keywords occurs in the message: as a whole word by default
// ("match": "substring" finds "ship" in "shipping"), ignoring case and accents by default
// ("accent_sensitive": true keeps "giá" (price) apart from "gia đình" (family)). A message can
// fire several rules. The configuration is checked strictly, because a typo in a hand-edited
// file should stop the bot at start-up rather than silently tag nothing: unknown fields are
// errors, and each error names the field, the rule's index and its name. Keywords are folded
// once, at load; a message is folded at most twice (once per accent mode in use).
//
// Folding needs utf8proc: link pancake::text. (The other workflow headers need only pancake.)
#pragma once

#include <pancake/text/fold.hpp>
#include <pancake/text/match.hpp>
#include <pancake/workflow/detail/config_json.hpp>
#include <pancake/workflow/error.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace pancake::workflow {

/// One rule: when any of `keywords` occurs in a message, the conversation gets the tag `tag`.
struct keyword_rule {
    std::string name;                  ///< for logs and errors; the tag when the configuration gives none
    std::string tag;                   ///< the tag's name as the dashboard shows it (resolved to an id later)
    std::vector<std::string> keywords; ///< as written; any one of them is enough
    text::match_mode match = text::match_mode::word;
    text::accent_mode accents = text::accent_mode::insensitive;
};

/// A rule a message fired, and the first of its keywords that did it.
struct rule_match {
    std::size_t rule;    ///< index into keyword_rules::rules()
    std::size_t keyword; ///< index into that rule's keywords
    friend bool operator==(const rule_match&, const rule_match&) = default;
};

template <class T>
using config_result = boost::system::result<T, config_error>;

class keyword_rules {
public:
    /// No rules: every message matches nothing.
    keyword_rules() = default;

    /// Parses and checks a JSON configuration (the shape above).
    static config_result<keyword_rules> parse(std::string_view json_text);
    /// Checks an already parsed configuration.
    static config_result<keyword_rules> from_json(const boost::json::value& config);
    /// Rules built in code, checked as a configuration would be (field paths "rules[i]...").
    static config_result<keyword_rules> from_rules(std::vector<keyword_rule> rules);

    const std::vector<keyword_rule>& rules() const noexcept { return rules_; }

    /// Every rule `message` fires, in rule order, with the keyword that fired it. A message that
    /// is not valid UTF-8 fires nothing (Boost.JSON has already rejected such text on the wire).
    std::vector<rule_match> matches(std::string_view message) const;

    /// The tag names `message` calls for: one per fired rule, in rule order, without repeats
    /// (two rules naming "Đặt hàng" and "đặt hàng" give it once, spelled as the first rule does).
    std::vector<std::string> tags_for(std::string_view message) const;

private:
    struct folded_rule {
        std::vector<std::string> keywords; // in text::match_form for the rule's accent mode
        std::string tag_key;               // the tag's case fold: what "the same tag" means
    };
    std::vector<keyword_rule> rules_;
    std::vector<folded_rule> folded_;
};

namespace detail {

inline std::string rule_path(std::size_t i) { return "rules[" + std::to_string(i) + "]"; }

} // namespace detail

inline config_result<keyword_rules> keyword_rules::parse(std::string_view json_text) {
    boost::system::error_code ec;
    auto v = boost::json::parse(json_text, ec);
    if (ec) return detail::make_config_error(error::config_not_json, "", "not valid JSON (" + ec.message() + ")");
    return from_json(v);
}

inline config_result<keyword_rules> keyword_rules::from_json(const boost::json::value& config) {
    using detail::json_kind;
    using detail::make_config_error;
    const auto* root = config.if_object();
    if (!root)
        return make_config_error(error::config_wrong_type, "",
                                 std::string("must be a JSON object {\"rules\": [...]}, not ") + json_kind(config));
    for (const auto& kv : *root)
        if (kv.key() != "rules")
            return make_config_error(error::config_unknown_field, std::string(kv.key()),
                                     "unknown field (the configuration has only \"rules\")");
    const auto* rules = root->if_contains("rules");
    if (!rules) return make_config_error(error::config_missing_field, "rules", "missing (an array of rules)");
    const auto* list = rules->if_array();
    if (!list)
        return make_config_error(error::config_wrong_type, "rules",
                                 std::string("must be an array of rules, not ") + json_kind(*rules));

    std::vector<keyword_rule> out;
    out.reserve(list->size());
    for (std::size_t i = 0; i < list->size(); ++i) {
        const auto path = detail::rule_path(i);
        const auto* rule = (*list)[i].if_object();
        if (!rule)
            return make_config_error(error::config_wrong_type, path,
                                     std::string("must be an object, not ") + json_kind((*list)[i]), i);
        keyword_rule r;
        // The name and the tag first, so that every later error can say which rule it is in.
        if (const auto* name = rule->if_contains("name")) {
            if (!name->is_string())
                return make_config_error(error::config_wrong_type, path + ".name",
                                         std::string("must be a string, not ") + json_kind(*name), i);
            r.name = std::string(name->get_string());
        }
        const auto* tag = rule->if_contains("tag");
        if (!tag)
            return make_config_error(error::config_missing_field, path + ".tag",
                                     "missing (the name of the tag to apply)", i, r.name);
        if (!tag->is_string())
            return make_config_error(error::config_wrong_type, path + ".tag",
                                     std::string("must be a string (a tag name), not ") + json_kind(*tag), i, r.name);
        r.tag = std::string(tag->get_string());
        const std::string shown = r.name.empty() ? r.tag : r.name;

        for (const auto& kv : *rule) {
            const auto k = kv.key();
            if (k != "name" && k != "tag" && k != "keywords" && k != "match" && k != "accent_sensitive")
                return make_config_error(error::config_unknown_field, path + "." + std::string(k),
                                         "unknown field (a rule has name, tag, keywords, match, accent_sensitive)", i,
                                         shown);
        }

        constexpr std::string_view keywords_shape = "must be a non-empty array of strings";
        const auto* keywords = rule->if_contains("keywords");
        if (!keywords)
            return make_config_error(error::config_missing_field, path + ".keywords",
                                     "missing (a non-empty array of strings)", i, shown);
        const auto* words = keywords->if_array();
        if (!words)
            return make_config_error(error::config_wrong_type, path + ".keywords",
                                     std::string(keywords_shape) + ", not " + json_kind(*keywords), i, shown);
        if (words->empty())
            return make_config_error(error::config_invalid_value, path + ".keywords",
                                     std::string(keywords_shape) + ", not an empty one", i, shown);
        for (std::size_t j = 0; j < words->size(); ++j) {
            const auto& w = (*words)[j];
            if (!w.is_string())
                return make_config_error(error::config_wrong_type, path + ".keywords[" + std::to_string(j) + "]",
                                         std::string("must be a string, not ") + json_kind(w), i, shown);
            r.keywords.emplace_back(w.get_string());
        }

        if (const auto* match = rule->if_contains("match")) {
            constexpr std::string_view modes = "must be \"word\" or \"substring\"";
            if (!match->is_string())
                return make_config_error(error::config_wrong_type, path + ".match",
                                         std::string(modes) + ", not " + json_kind(*match), i, shown);
            if (match->get_string() == "word")
                r.match = text::match_mode::word;
            else if (match->get_string() == "substring")
                r.match = text::match_mode::substring;
            else
                return make_config_error(error::config_invalid_value, path + ".match", modes, i, shown);
        }
        if (const auto* sensitive = rule->if_contains("accent_sensitive")) {
            if (!sensitive->is_bool())
                return make_config_error(error::config_wrong_type, path + ".accent_sensitive",
                                         std::string("must be true or false, not ") + json_kind(*sensitive), i, shown);
            r.accents = sensitive->get_bool() ? text::accent_mode::sensitive : text::accent_mode::insensitive;
        }
        out.push_back(std::move(r));
    }
    return from_rules(std::move(out));
}

inline config_result<keyword_rules> keyword_rules::from_rules(std::vector<keyword_rule> rules) {
    using detail::make_config_error;
    keyword_rules out;
    out.folded_.reserve(rules.size());
    for (std::size_t i = 0; i < rules.size(); ++i) {
        auto& r = rules[i];
        const auto path = detail::rule_path(i);
        const auto tag_form = text::match_form(r.tag, text::accent_mode::sensitive);
        if (!tag_form)
            return make_config_error(error::config_invalid_value, path + ".tag", "is not valid UTF-8", i, r.name);
        if (tag_form->empty())
            return make_config_error(error::config_invalid_value, path + ".tag", "must name a tag (it is blank)", i,
                                     r.name);
        if (r.name.empty()) r.name = r.tag;
        if (r.keywords.empty())
            return make_config_error(error::config_invalid_value, path + ".keywords",
                                     "must be a non-empty array of strings", i, r.name);
        folded_rule f;
        f.tag_key = *tag_form;
        f.keywords.reserve(r.keywords.size());
        for (std::size_t j = 0; j < r.keywords.size(); ++j) {
            const auto field = path + ".keywords[" + std::to_string(j) + "]";
            auto k = text::match_form(r.keywords[j], r.accents);
            if (!k) return make_config_error(error::config_invalid_value, field, "is not valid UTF-8", i, r.name);
            if (k->empty())
                return make_config_error(error::config_invalid_value, field,
                                         "must have something to match (it is blank)", i, r.name);
            f.keywords.push_back(std::move(*k));
        }
        out.folded_.push_back(std::move(f));
    }
    out.rules_ = std::move(rules);
    return out;
}

inline std::vector<rule_match> keyword_rules::matches(std::string_view message) const {
    // Folded lazily, once per accent mode that some rule uses.
    std::optional<std::string> forms[2];
    bool done[2] = {false, false};
    auto form = [&](text::accent_mode a) -> const std::optional<std::string>& {
        const auto i = a == text::accent_mode::insensitive ? 1 : 0;
        if (!done[i]) {
            forms[i] = text::match_form(message, a);
            done[i] = true;
        }
        return forms[i];
    };
    std::vector<rule_match> out;
    for (std::size_t i = 0; i < rules_.size(); ++i) {
        const auto& folded_message = form(rules_[i].accents);
        if (!folded_message) return {};
        if (auto k = text::find_keyword(*folded_message, folded_[i].keywords, rules_[i].match)) out.push_back({i, *k});
    }
    return out;
}

inline std::vector<std::string> keyword_rules::tags_for(std::string_view message) const {
    std::vector<std::string> out;
    std::unordered_set<std::string_view> seen;
    for (const auto& m : matches(message))
        if (seen.insert(folded_[m.rule].tag_key).second) out.push_back(rules_[m.rule].tag);
    return out;
}

} // namespace pancake::workflow
