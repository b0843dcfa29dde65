// Loading a fixture: pages with their tokens, tags, users, round-robin lists, conversations,
// messages and uploads, and the user tokens of /api/v1. All or nothing.
#include "handlers.hpp"

namespace pancake::sim {

bool world::load_fixture(const json::value& fx, std::string& err) {
    if (!load_model(fx, err)) return false;
    fixture_ = packed_json(fx);
    return true;
}

bool world::load_model(const json::value& fx, std::string& err) {
    decltype(pages_) pages;
    decltype(token_to_page_) tokens;
    std::vector<user_token> user_tokens;
    auto* root = fx.if_object();
    if (!root) {
        err = "fixture must be a JSON object";
        return false;
    }
    auto fail = [&](std::string what, const diagnostics& d) {
        err = what + (d.field_path().empty() ? "" : ": " + d.field_path());
        return false;
    };
    auto* pv = root->if_contains("pages");
    if (!pv || !pv->is_array()) {
        err = "a fixture needs a \"pages\" array";
        return false;
    }
    {
        for (auto& jp : pv->as_array()) {
            diagnostics d;
            auto info = decode<page>(jp, &d);
            if (!info) return fail("bad page", d);
            auto& o = jp.as_object();
            page_state ps;
            ps.info = *info;
            if (ps.info.platform.empty()) ps.info.platform = "facebook";
            if (auto* t = o.if_contains("page_access_token"); t && t->is_string()) ps.token = t->as_string();
            if (ps.token.empty()) {
                err = "page " + info->id.value() + " has no page_access_token";
                return false;
            }
            if (auto* up =
                    o.if_contains("uploads")) { // content ids already uploaded: ["id"] or [{id, attachment_type}]
                if (!up->is_array()) {
                    err = "page " + info->id.value() + ": uploads must be an array";
                    return false;
                }
                for (auto& u : up->as_array()) {
                    if (u.is_string()) {
                        ps.uploads[std::string(u.as_string())] = "PHOTO";
                        continue;
                    }
                    auto* uo = u.if_object();
                    auto* id = uo ? uo->if_contains("id") : nullptr;
                    auto* ty = uo ? uo->if_contains("attachment_type") : nullptr;
                    if (!id || !id->is_string() || (ty && !ty->is_string())) {
                        err = "page " + info->id.value() + ": an upload is \"id\" or {\"id\",\"attachment_type\"}";
                        return false;
                    }
                    ps.uploads[std::string(id->as_string())] = ty ? std::string(ty->as_string()) : "PHOTO";
                }
            }
            if (auto* t = o.if_contains("tags")) {
                auto r = decode<std::vector<tag>>(*t, &d);
                if (!r) return fail("bad tags", d);
                ps.tags = *r;
            }
            auto users = decode<users_snapshot>(
                json::object{{"users", o.contains("users") ? o.at("users") : json::array{}},
                             {"disabled_users", o.contains("disabled_users") ? o.at("disabled_users") : json::array{}},
                             {"round_robin_users",
                              o.contains("round_robin_users") ? o.at("round_robin_users") : json::object{}}},
                &d);
            if (!users) return fail("bad users", d);
            ps.users = users->users;
            ps.disabled_users = users->disabled_users;
            ps.round_robin = users->round_robin_users;
            if (auto* cs = o.if_contains("conversations"); cs && cs->is_array()) {
                for (auto& jc : cs->as_array()) {
                    auto c = decode<conversation>(jc, &d);
                    if (!c) return fail("bad conversation", d);
                    if (!c->page_id) c->page_id = ps.info.id;
                    if (!c->version) c->version = 1;
                    if (c->type.empty()) c->type = "INBOX";
                    auto key = c->id.value();
                    ps.conversations.insert(std::move(*c));
                    if (auto* ms = jc.as_object().if_contains("messages")) {
                        auto m = decode<std::vector<message>>(*ms, &d);
                        if (!m) return fail("bad messages", d);
                        ps.conversations.put_messages(key, *m);
                    }
                }
                ps.conversations.compact();
            }
            if (!read_customers(ps, o, err) || !read_content(ps, o, err)) return false;
            if (!load_page_extras(ps, o, err)) return false;
            for (auto& [other_id, other] : pages)
                if (!ps.chat_plugin_id.empty() &&
                    (other.chat_plugin_id == ps.chat_plugin_id || other_id == ps.chat_plugin_id)) {
                    err = "page " + ps.info.id.value() + ": chat_plugin_id " + ps.chat_plugin_id + " is taken";
                    return false;
                }
            tokens[ps.token] = ps.info.id.value();
            pages.emplace(ps.info.id.value(), std::move(ps));
        }
    }
    if (auto* ut = root->if_contains("user_tokens"); ut && ut->is_array()) {
        for (auto& j : ut->as_array()) {
            auto* o = j.if_object();
            if (!o || !o->contains("access_token") || !o->at("access_token").is_string()) {
                err = "user_tokens entries need an access_token";
                return false;
            }
            user_token t;
            t.token = o->at("access_token").as_string();
            if (auto* ps = o->if_contains("pages"); ps && ps->is_array())
                for (auto& p : ps->as_array())
                    if (p.is_string()) t.pages.emplace_back(p.as_string());
            if (auto* e = o->if_contains("expires_at"); e && e->is_int64()) t.expires_at = e->as_int64();
            user_tokens.push_back(std::move(t));
        }
    }
    pages_ = std::move(pages);
    tokens_changed();
    token_to_page_ = std::move(tokens);
    user_tokens_ = std::move(user_tokens);
    rng_.seed(seed_);
    message_counter_ = 0;
    return true;
}

void world::reset() {
    std::string err;
    load_model(fixture_.value(), err);
}

} // namespace pancake::sim
