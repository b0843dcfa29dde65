// The model's state that every route shares: construction, seeded ids, lookups, the admin
// setters, and the answer for errors the documents do not describe.
#include "handlers.hpp"

#include <cstdio>

namespace pancake::sim {

world::world(std::uint64_t seed, behaviour b, rate_limit_config rl)
    : seed_(seed), rng_(seed), behaviour_(b), rate_(std::move(rl)) {}

std::string world::new_uuid() {
    std::uniform_int_distribution<std::uint32_t> d;
    std::uint32_t a = d(rng_), b = d(rng_), c = d(rng_), e = d(rng_);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%04x%08x", a, b >> 16, b & 0xfff, (c & 0x3fff) | 0x8000,
                  c >> 16, e);
    return buf;
}

std::string world::new_message_id() { return "m_sim_" + std::to_string(++message_counter_); }

const page_state* world::find_page(const std::string& id) const {
    auto it = pages_.find(id);
    return it == pages_.end() ? nullptr : &it->second;
}

const conversation* world::find_conversation(const std::string& page, const std::string& conv) const {
    auto* p = find_page(page);
    if (!p) return nullptr;
    return p->conversations.peek(conv);
}

std::vector<std::string> world::page_ids() const {
    std::vector<std::string> out;
    for (auto& [k, v] : pages_)
        out.push_back(k);
    return out;
}

bool world::set_user_status(const std::string& page, const std::string& user, std::optional<std::string> status,
                            std::optional<bool> online) {
    auto it = pages_.find(page);
    if (it == pages_.end()) return false;
    for (auto& u : it->second.users) {
        if (u.id.value() != user) continue;
        if (status) u.status = *status;
        if (online) u.is_online = *online;
        return true;
    }
    return false;
}

// An error the documents do not describe (status and wording are ours): 4xx by default, or
// HTTP 200 + success:false with the errors_as_200 switch ("some endpoints return HTTP 200 with
// success=false", OBS S10).
response world::invented(unsigned status, std::string_view message) const {
    return error_response(behaviour_.errors_as_200 ? 200 : status, message);
}

} // namespace pancake::sim
