#include "request_target.hpp"

#include "text.hpp"

#include <boost/url/parse.hpp>

namespace pancake::sim {

bool request_target::parse(std::string_view target) {
    segs_.clear();
    params_.clear();
    decoded_.clear();
    // Nothing to decode: no escapes (plain_target), and no '+' (a space in a query).
    const auto q = target.find('?');
    if (!plain_target(target) || (q != std::string_view::npos && target.find('+', q) != std::string_view::npos))
        return parse_decoded(target);
    const std::string_view path = target.substr(0, q);
    for (std::size_t at = 1; path.size() > 1;) { // "/" has no segment, "/a/" two ("a", "")
        const auto slash = path.find('/', at);
        segs_.push_back(path.substr(at, slash - at)); // to the end when there is no slash
        if (slash == std::string_view::npos) break;
        at = slash + 1;
    }
    if (q == std::string_view::npos) return true;
    for (std::string_view rest = target.substr(q + 1);;) {
        const auto amp = rest.find('&');
        const auto param = rest.substr(0, amp);
        const auto eq = param.find('=');
        params_.emplace_back(param.substr(0, eq),
                             eq == std::string_view::npos ? std::string_view{} : param.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
    }
    return true;
}

bool request_target::parse_decoded(std::string_view target) {
    std::string rewritten; // `type[]=INBOX` as the docs' cURL sends it
    auto parsed = boost::urls::parse_origin_form(lenient_view(target, rewritten));
    if (!parsed) return false;
    // Decoded copies first, then the views (the vector is not grown after).
    for (auto s : parsed->segments())
        decoded_.push_back(s);
    const auto n = decoded_.size();
    for (auto p : parsed->params()) {
        decoded_.push_back(p.key);
        decoded_.push_back(p.has_value ? p.value : std::string());
    }
    for (std::size_t i = 0; i < n; ++i)
        segs_.push_back(decoded_[i]);
    for (std::size_t i = n; i < decoded_.size(); i += 2)
        params_.emplace_back(decoded_[i], decoded_[i + 1]);
    return true;
}

std::optional<std::string_view> request_target::param(std::string_view key) const noexcept {
    for (auto& [k, v] : params_)
        if (k == key) return v;
    return std::nullopt;
}

std::size_t request_target::count(std::string_view key) const noexcept {
    std::size_t n = 0;
    for (auto& p : params_)
        n += p.first == key;
    return n;
}

std::vector<std::string_view> request_target::all(std::string_view key) const {
    std::vector<std::string_view> out;
    for (auto& [k, v] : params_)
        if (k == key) out.push_back(v);
    return out;
}

} // namespace pancake::sim
