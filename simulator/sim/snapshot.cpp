// The model's state as JSON (pancake-sim --state) and back: what reset() returns to, the rotated
// tokens, the id counters and the generator, so a restored world answers as the saved one would.
#include "handlers.hpp"

#include <sstream>

namespace pancake::sim {

json::value world::snapshot() const {
    json::array pages;
    for (auto& [id, p] : pages_) {
        auto o = encode(p.info).as_object();
        o["page_access_token"] = p.token;
        o["tags"] = encode(p.tags);
        o["users"] = encode(p.users);
        o["disabled_users"] = encode(p.disabled_users);
        o["round_robin_users"] = encode(p.round_robin);
        o["rr_cursor_inbox"] = p.rr_cursor_inbox;
        o["rr_cursor_comment"] = p.rr_cursor_comment;
        json::array uploads;
        for (auto& [id, type] : p.uploads)
            uploads.push_back(json::object{{"id", id}, {"attachment_type", type}});
        o["uploads"] = std::move(uploads);
        json::array convs;
        const auto& store = p.conversations; // (clang 14 cannot capture a structured binding)
        store.for_each([&](std::string_view cid, const conversation& c) {
            auto jc = encode(c).as_object();
            if (store.holds_messages(cid)) jc["messages"] = encode(store.messages(cid));
            convs.push_back(std::move(jc));
        });
        o["conversations"] = std::move(convs);
        write_customers(p, o);
        write_content(p, o);
        page_extras_json(p, o);
        pages.push_back(std::move(o));
    }
    json::array tokens;
    for (auto& t : user_tokens_) {
        json::array ps;
        for (auto& p : t.pages)
            ps.push_back(json::value(p));
        json::object o{{"access_token", t.token}, {"pages", std::move(ps)}};
        if (t.expires_at) o["expires_at"] = *t.expires_at;
        tokens.push_back(std::move(o));
    }
    std::ostringstream rng;
    rng << rng_;
    return json::object{{"pancake_sim_snapshot", 1},
                        {"fixture", fixture_.value()},
                        {"state", json::object{{"pages", std::move(pages)}, {"user_tokens", std::move(tokens)}}},
                        {"message_counter", message_counter_},
                        {"rng", rng.str()}};
}

bool world::restore(const json::value& snap, std::string& err) {
    auto* o = snap.if_object();
    if (!o || !o->contains("pancake_sim_snapshot") || !o->contains("state") || !o->contains("fixture")) {
        err = "not a pancake-sim snapshot";
        return false;
    }
    world probe(seed_); // the fixture must load too, or reset() would fail later
    if (!probe.load_model(o->at("fixture"), err)) {
        err = "snapshot fixture: " + err;
        return false;
    }
    auto* counter = o->if_contains("message_counter");
    auto* rng = o->if_contains("rng");
    std::mt19937_64 gen;
    if (rng && rng->is_string()) {
        std::istringstream in{std::string(rng->as_string())};
        in >> gen;
        if (!in) {
            err = "snapshot: bad rng state";
            return false;
        }
    }
    if (!counter || !(counter->is_uint64() || (counter->is_int64() && counter->as_int64() >= 0)) || !rng ||
        !rng->is_string()) {
        err = "snapshot: message_counter and rng are required";
        return false;
    }
    if (!probe.load_model(o->at("state"), err)) {
        err = "snapshot state: " + err;
        return false;
    }
    for (auto& jp : o->at("state").at("pages").as_array()) {
        auto& po = jp.as_object();
        auto* id = po.if_contains("id");
        auto it = id && id->is_string() ? probe.pages_.find(std::string(id->as_string())) : probe.pages_.end();
        if (it == probe.pages_.end()) continue;
        auto& ps = it->second;
        if (auto* c = po.if_contains("rr_cursor_inbox"); c && c->is_uint64()) ps.rr_cursor_inbox = c->as_uint64();
        if (auto* c = po.if_contains("rr_cursor_inbox"); c && c->is_int64()) ps.rr_cursor_inbox = c->as_int64();
        if (auto* c = po.if_contains("rr_cursor_comment"); c && c->is_uint64()) ps.rr_cursor_comment = c->as_uint64();
        if (auto* c = po.if_contains("rr_cursor_comment"); c && c->is_int64()) ps.rr_cursor_comment = c->as_int64();
    }
    pages_ = std::move(probe.pages_);
    tokens_changed();
    token_to_page_ = std::move(probe.token_to_page_);
    user_tokens_ = std::move(probe.user_tokens_);
    fixture_ = packed_json(o->at("fixture"));
    message_counter_ = counter->is_uint64() ? counter->as_uint64() : static_cast<std::uint64_t>(counter->as_int64());
    rng_ = gen;
    return true;
}

} // namespace pancake::sim
