#include "redactor.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cstring>

namespace pancake::sim {

namespace {
constexpr std::size_t max_rotated_secrets = 4096;

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
} // namespace

bool secret_redactor::add(const std::string& t) {
    if (t.size() < 4) return false;
    if (!secrets_[t.size()].insert(t).second) return false;
    ++first_bytes_[static_cast<unsigned char>(t[0])];
    ++prefixes_[prefix_of(t)];
    return true;
}

void secret_redactor::forget(const std::string& t) {
    if (!secrets_[t.size()].erase(t)) return;
    --first_bytes_[static_cast<unsigned char>(t[0])];
    if (auto it = prefixes_.find(prefix_of(t)); it != prefixes_.end() && --it->second == 0) prefixes_.erase(it);
}

std::uint32_t secret_redactor::prefix_of(std::string_view s) noexcept {
    std::uint32_t p = 0;
    std::memcpy(&p, s.data(), sizeof p);
    return p;
}

void secret_redactor::note_fixture(const json::value& v) {
    if (auto* o = v.if_object()) {
        for (auto& [k, x] : *o) {
            if (x.is_string() && ascii_lower(k).find("token") != std::string::npos) add(std::string(x.as_string()));
            note_fixture(x);
        }
    } else if (auto* a = v.if_array())
        for (auto& x : *a)
            note_fixture(x);
}

void secret_redactor::note_model(const world& model) {
    // Called for every journal entry: skip the walk unless a token may have changed since.
    if (model.token_generation() == noted_generation_) return;
    noted_generation_ = model.token_generation();
    for (auto& id : model.page_ids())
        if (auto* p = model.find_page(id); p && add(p->token)) {
            rotated_.push_back(p->token);
            if (rotated_.size() > max_rotated_secrets) {
                auto& old = rotated_.front();
                bool current = false;
                for (auto& pid : model.page_ids())
                    current = current || model.find_page(pid)->token == old;
                if (!current) forget(old);
                rotated_.pop_front();
            }
        }
}

std::string secret_redactor::redact(std::string_view raw) const {
    std::string out;
    return redact_into(raw, out) ? out : std::string(raw);
}

void secret_redactor::redact_in_place(std::string& s) const {
    std::string out;
    if (redact_into(s, out)) s = std::move(out);
}

bool secret_redactor::redact_into(std::string_view raw, std::string& out) const {
    if (secrets_.empty()) return false;
    // Most text has no escapes: then the decoded text is the text and positions map to themselves.
    const bool escaped = std::any_of(raw.begin(), raw.end(), [](char c) { return c == '%' || c == '\\'; });
    std::string d;               // the text with those escapes decoded
    std::vector<std::size_t> at; // at[i]: where d[i] starts in raw
    if (escaped) {
        d.reserve(raw.size());
        at.reserve(raw.size() + 1);
        for (std::size_t i = 0; i < raw.size();) {
            at.push_back(i);
            if (raw[i] == '%' && i + 2 < raw.size() && hex_digit(raw[i + 1]) >= 0 && hex_digit(raw[i + 2]) >= 0) {
                d += static_cast<char>(hex_digit(raw[i + 1]) * 16 + hex_digit(raw[i + 2]));
                i += 3;
            } else if (raw[i] == '\\' && i + 5 < raw.size() && raw[i + 1] == 'u' && raw[i + 2] == '0' &&
                       raw[i + 3] == '0' && hex_digit(raw[i + 4]) >= 0 && hex_digit(raw[i + 4]) < 8 &&
                       hex_digit(raw[i + 5]) >= 0) {
                d += static_cast<char>(hex_digit(raw[i + 4]) * 16 + hex_digit(raw[i + 5]));
                i += 6;
            } else
                d += raw[i++];
        }
        at.push_back(raw.size());
    }
    const std::string_view text = escaped ? std::string_view(d) : raw;
    auto raw_pos = [&](std::size_t i) { return escaped ? at[i] : i; };
    std::size_t copied = 0; // raw bytes already handled
    for (std::size_t i = 0; i < text.size();) {
        std::size_t hit = 0;
        // Only where a secret can start (its first byte): a hash per length per position
        // otherwise made this the simulator's hottest function.
        if (first_bytes_[static_cast<unsigned char>(text[i])] && i + 4 <= text.size() &&
            prefixes_.contains(prefix_of(text.substr(i))))
            for (auto& [len, set] : secrets_)
                if (!set.empty() && i + len <= text.size() && set.contains(text.substr(i, len))) {
                    hit = len;
                    break;
                }
        if (!hit) {
            ++i;
            continue;
        }
        out.append(raw.substr(copied, raw_pos(i) - copied));
        out += redacted;
        copied = raw_pos(i + hit);
        i += hit;
    }
    if (copied == 0) return false;
    out.append(raw.substr(copied));
    return true;
}

namespace {
// Whether a query parameter's name mentions a token, in any case, without a lowered copy.
bool names_a_token(std::string_view key) noexcept {
    constexpr std::string_view token = "token";
    for (std::size_t i = 0; i + token.size() <= key.size(); ++i) {
        std::size_t k = 0;
        while (k < token.size() && (key[i + k] | 0x20) == token[k])
            ++k;
        if (k == token.size()) return true;
    }
    return false;
}

// Writes the target's query with every token-named parameter's value replaced, parameter by
// parameter as they came (still encoded): no URL object copied and edited for every request.
void write_query(std::string& out, boost::urls::params_encoded_view params, std::string_view redacted) {
    bool first = true;
    for (auto p : params) {
        if (!first) out += '&';
        first = false;
        out.append(p.key.data(), p.key.size());
        if (!p.has_value) continue;
        out += '=';
        if (names_a_token(p.key.decode()))
            out += redacted;
        else
            out.append(p.value.data(), p.value.size());
    }
}
} // namespace

void secret_redactor::redact_plain_target(std::string& target) const {
    // Parameter by parameter as they came: a name is what precedes its first '=' (a plain target
    // has no escapes, so its names are their own decoding); a token-named value is replaced.
    if (const auto q = target.find('?'); q != std::string::npos)
        for (std::size_t at = q + 1;;) {
            auto end = target.find('&', at);
            if (end == std::string::npos) end = target.size();
            const auto eq = target.find('=', at);
            if (eq < end && names_a_token(std::string_view(target).substr(at, eq - at))) {
                target.replace(eq + 1, end - eq - 1, redacted);
                end = eq + 1 + redacted.size();
            }
            if (end >= target.size()) break;
            at = end + 1;
        }
    redact_in_place(target);
}

void secret_redactor::redact_target_in_place(std::string& target) const {
    if (plain_target(target))
        redact_plain_target(target);
    else
        target = redact_target(target);
}

std::string secret_redactor::redact_target(std::string_view raw_target) const {
    std::string out;
    if (plain_target(raw_target)) { // the common case, which always parses
        out.assign(raw_target);
        redact_plain_target(out);
        return out;
    }
    std::string rewritten; // as the model parses it
    const std::string_view target = lenient_view(raw_target, rewritten);
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed) {
        auto q = target.find('?');
        return redact(target.substr(0, q)) + (q == std::string_view::npos ? "" : "?<unparseable query>");
    }
    const auto& u = *parsed;
    out.assign(u.encoded_path());
    if (u.has_query()) {
        out += '?';
        write_query(out, u.encoded_params(), redacted);
    }
    redact_in_place(out);
    return out;
}

} // namespace pancake::sim
