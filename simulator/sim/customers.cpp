// Page customers and their notes: the paged listing, the update of name/gender/birthday/phone
// numbers, and notes added, edited (the old text kept in edit_history) and deleted (removed_at).
// Also the customers of a fixture (listed, or implied by conversations) and of a snapshot.
#include "fixture_fields.hpp"
#include "handlers.hpp"
#include "query_params.hpp"

#include <algorithm>

namespace pancake::sim {

namespace {

constexpr std::int64_t customers_max_page_size = 100, customers_default_page_size = 20;

std::int64_t unix_ms(wall_time w) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(w.time_since_epoch()).count();
}

bool valid_date(std::string_view s) { // YYYY-MM-DD, a real day
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    int part[3] = {0, 0, 0};
    for (std::size_t i = 0, k = 0; i < s.size(); ++i) {
        if (i == 4 || i == 7) {
            ++k;
            continue;
        }
        if (s[i] < '0' || s[i] > '9') return false;
        part[k] = part[k] * 10 + (s[i] - '0');
    }
    return std::chrono::year_month_day{std::chrono::year(part[0]), std::chrono::month(unsigned(part[1])),
                                       std::chrono::day(unsigned(part[2]))}
        .ok();
}

bool valid_gender(std::string_view g) { return g == "male" || g == "female" || g == "unknown"; }

json::value opt(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }
json::value opt(const std::optional<std::int64_t>& n) { return n ? json::value(*n) : json::value(nullptr); }

json::array strings(const std::vector<std::string>& v) {
    json::array a;
    for (auto& s : v)
        a.emplace_back(s);
    return a;
}

// A note as page_customers lists it (spec: CustomerNote); order_id is not nullable there, so it is
// left out when the note has none.
json::value note_json(const customer_note& n) {
    json::array history;
    for (auto& e : n.edit_history)
        history.push_back(json::object{{"message", e.message}, {"edited_at", e.edited_at}});
    json::object o{{"id", n.id},
                   {"message", n.message},
                   {"created_at", n.created_at},
                   {"created_by", json::object{{"fb_id", n.by_fb_id}, {"fb_name", n.by_fb_name}, {"uid", n.by_uid}}},
                   {"edit_history", std::move(history)},
                   {"images", strings(n.images)},
                   {"links", strings(n.links)},
                   {"removed_at", opt(n.removed_at)},
                   {"updated_at", opt(n.updated_at)}};
    if (n.order_id) o["order_id"] = *n.order_id;
    return o;
}

json::array notes_json(const page_customer& pc) {
    json::array a;
    for (auto& n : pc.notes)
        a.push_back(note_json(n));
    return a;
}

// The spec's customer item plus `id` (what page_customers/{id} takes) and `updated_at`. Also the
// fixture and snapshot form of a customer.
json::value customer_json(const page_customer& pc) {
    return json::object{{"id", pc.id},
                        {"psid", pc.psid},
                        {"name", pc.name},
                        {"gender", opt(pc.gender)},
                        {"birthday", opt(pc.birthday)},
                        {"lives_in", opt(pc.lives_in)},
                        {"phone_numbers", strings(pc.phone_numbers)},
                        {"inserted_at", pc.inserted_at.to_string()},
                        {"updated_at", pc.updated_at.to_string()},
                        {"notes", notes_json(pc)}};
}

bool read_note(const json::value& v, const std::string& where, customer_note& n, std::string& err) {
    fixture_fields f(v, where, err);
    n.id = f.str("id");
    n.message = f.str("message");
    n.created_at = f.int64("created_at");
    if (auto* by = f.get("created_by")) {
        fixture_fields b(*by, where + "created_by: ", err);
        n.by_fb_id = b.opt_str("fb_id").value_or("");
        n.by_fb_name = b.opt_str("fb_name").value_or("");
        n.by_uid = b.opt_str("uid").value_or("");
    }
    if (auto* h = f.array("edit_history")) {
        for (std::size_t i = 0; i < h->size() && f.ok(); ++i) {
            fixture_fields e((*h)[i], where + "edit_history[" + std::to_string(i) + "]: ", err);
            n.edit_history.push_back({e.str("message"), e.opt_int("edited_at").value_or(0)});
        }
    }
    n.images = f.strings("images");
    n.links = f.strings("links");
    n.order_id = f.opt_str("order_id");
    n.updated_at = f.opt_int("updated_at");
    n.removed_at = f.opt_int("removed_at");
    if (f.ok() && n.id.empty()) f.fail("id must not be empty");
    return f.ok();
}

} // namespace

bool world::read_customers(page_state& p, const json::object& page, std::string& err_out) {
    std::string err; // the first problem; fixture_fields report into it (err_out may hold an older one)
    const std::string at = "page " + p.info.id.value() + ": ";
    auto* list = page.if_contains("customers");
    if (list && !list->is_null() && !list->is_array()) {
        err = at + "customers must be an array";
        return report(err_out, err);
    }
    std::map<std::string, page_customer> customers;
    if (list && list->is_array()) {
        for (std::size_t i = 0; i < list->as_array().size(); ++i) {
            const std::string where = at + "customers[" + std::to_string(i) + "]: ";
            fixture_fields f(list->as_array()[i], where, err);
            page_customer pc;
            pc.id = f.str("id");
            pc.psid = f.str("psid");
            pc.name = f.str("name");
            pc.gender = f.opt_str("gender");
            pc.birthday = f.opt_str("birthday");
            if (pc.birthday && !valid_date(*pc.birthday)) f.fail("birthday must be a date YYYY-MM-DD");
            pc.lives_in = f.opt_str("lives_in");
            pc.phone_numbers = f.strings("phone_numbers");
            pc.inserted_at = f.time("inserted_at");
            pc.updated_at = f.opt_time("updated_at").value_or(pc.inserted_at);
            if (auto* notes = f.array("notes"))
                for (std::size_t k = 0; k < notes->size() && f.ok(); ++k) {
                    customer_note n;
                    if (read_note((*notes)[k], where + "notes[" + std::to_string(k) + "]: ", n, err))
                        pc.notes.push_back(std::move(n));
                }
            if (f.ok() && pc.id.empty()) f.fail("id must not be empty");
            if (f.ok() && customers.count(pc.id)) f.fail("duplicate customer id " + pc.id);
            if (!f.ok()) return report(err_out, err);
            customers.emplace(pc.id, std::move(pc));
        }
    }
    // Every customer of a conversation is a page customer (its customers[].id is the page-customer
    // id page_customers/{id} takes), so the fixture need not list them twice.
    p.conversations.for_each([&](std::string_view, const conversation& conv) {
        for (auto& ref : conv.customers) {
            if (ref.id.empty() || customers.count(ref.id)) continue;
            page_customer pc;
            pc.id = ref.id;
            pc.psid = ref.fb_id ? *ref.fb_id : conv.from ? conv.from->id : std::string();
            pc.name = ref.name;
            pc.inserted_at = conv.inserted_at ? *conv.inserted_at : conv.updated_at.value_or(utc_time{});
            pc.updated_at = conv.updated_at.value_or(pc.inserted_at);
            customers.emplace(pc.id, std::move(pc));
        }
    });
    p.customers = std::move(customers);
    return true;
}

void world::write_customers(const page_state& p, json::object& page) {
    json::array a;
    for (auto& [id, pc] : p.customers)
        a.push_back(customer_json(pc));
    page["customers"] = std::move(a);
}

const std::string& world::customer_for(page_state& p, const std::string& psid, const std::string& name,
                                       const std::string& fresh, wall_time wall) {
    for (auto& [id, pc] : p.customers)
        if (pc.psid == psid) return pc.id;
    page_customer pc;
    pc.id = fresh;
    pc.psid = psid;
    pc.name = name;
    pc.inserted_at = pc.updated_at = to_utc(wall);
    return p.customers.emplace(fresh, std::move(pc)).first->second.id;
}

// GET page_customers: since/until (required) on the order_by field, newest first, page_number
// from 1, page_size up to 100 (20 when absent: the spec gives no default).
handle_result world::customers_get(ctx& c) {
    auto bad = [&](const std::string& why) {
        c.out.resp = invented(400, why);
        return std::move(c.out);
    };
    std::optional<std::int64_t> since, until;
    paging pg;
    if (auto e = time_window(c.target, true, since, until)) return bad(*e);
    if (auto e = paging_params(c.target, customers_max_page_size, customers_default_page_size, pg)) return bad(*e);
    const auto order_by = c.param("order_by").value_or("inserted_at");
    if (order_by != "inserted_at" && order_by != "updated_at") return bad("order_by must be inserted_at or updated_at");
    const bool by_updated = order_by == "updated_at";
    auto stamp = [&](const page_customer& pc) { return by_updated ? pc.updated_at.time() : pc.inserted_at.time(); };

    std::vector<const page_customer*> list;
    for (auto& [id, pc] : c.page->customers) {
        auto secs = std::chrono::floor<std::chrono::seconds>(stamp(pc)).time_since_epoch().count();
        if (secs >= *since && secs <= *until) list.push_back(&pc);
    }
    std::sort(list.begin(), list.end(),
              [&](auto* a, auto* b) { return stamp(*a) != stamp(*b) ? stamp(*a) > stamp(*b) : a->id > b->id; });
    auto [first, last] = page_slice(list.size(), pg);
    json::array arr;
    for (auto i = first; i < last; ++i)
        arr.push_back(customer_json(*list[i]));
    c.out.resp =
        json_response(200, json::object{{"total", list.size()}, {"customers", std::move(arr)}, {"success", true}});
    return std::move(c.out);
}

// PUT page_customers/{id} {"changes": {name, gender, birthday, phone_numbers}}: the given fields are
// set; every field is checked before anything changes.
handle_result world::customer_put(ctx& c, const std::string& id) {
    auto it = c.page->customers.find(id);
    if (it == c.page->customers.end()) {
        c.out.resp = invented(404, "Customer not found");
        return std::move(c.out);
    }
    auto bad = [&](const std::string& why) {
        c.out.resp = invented(400, why);
        return std::move(c.out);
    };
    boost::system::error_code ec;
    auto body = json::parse(c.req.body, ec);
    if (ec) return bad("Invalid JSON body");
    auto* changes = body.is_object() ? body.as_object().if_contains("changes") : nullptr;
    if (!changes || !changes->is_object()) return bad("changes must be an object");
    auto next = it->second;
    for (auto& [key, v] : changes->as_object()) {
        const std::string field = "changes." + std::string(key);
        if (key == "name") {
            if (!v.is_string() || v.as_string().empty()) return bad(field + " must be a non-empty string");
            next.name = v.as_string();
        } else if (key == "gender") {
            if (!v.is_string() || !valid_gender(v.as_string())) return bad(field + " must be male, female or unknown");
            next.gender = std::string(v.as_string());
        } else if (key == "birthday") {
            if (!v.is_string() || !valid_date(v.as_string())) return bad(field + " must be a date YYYY-MM-DD");
            next.birthday = std::string(v.as_string());
        } else if (key == "phone_numbers") {
            auto* a = v.if_array();
            if (!a || std::any_of(a->begin(), a->end(), [](auto& x) { return !x.is_string(); }))
                return bad(field + " must be an array of strings");
            next.phone_numbers.clear();
            for (auto& x : *a)
                next.phone_numbers.emplace_back(x.as_string());
        } else {
            return bad(field + " cannot be changed (name, gender, birthday, phone_numbers)");
        }
    }
    auto& pc = it->second;
    if (next.name != pc.name || next.gender != pc.gender || next.birthday != pc.birthday ||
        next.phone_numbers != pc.phone_numbers) {
        next.updated_at = to_utc(c.wall);
        pc = std::move(next);
        c.out.committed = true;
    }
    c.out.resp = json_response(200, json::object{{"success", true}});
    return std::move(c.out);
}

// POST/PUT/DELETE page_customers/{id}/notes: add {message}, edit {note_id, message}, delete
// {note_id}. A deleted note stays with removed_at set (the spec's note has a nullable removed_at);
// deleting it again changes nothing.
handle_result world::notes_call(ctx& c, const std::string& customer) {
    auto it = c.page->customers.find(customer);
    if (it == c.page->customers.end()) {
        c.out.resp = invented(404, "Customer not found");
        return std::move(c.out);
    }
    auto bad = [&](const std::string& why) {
        c.out.resp = invented(400, why);
        return std::move(c.out);
    };
    boost::system::error_code ec;
    auto body = json::parse(c.req.body, ec);
    if (ec || !body.is_object()) return bad("Invalid JSON body");
    auto& o = body.as_object();
    auto& pc = it->second;
    const auto method = c.req.method;
    std::string message;
    if (method != "DELETE") {
        auto* m = o.if_contains("message");
        if (!m || !m->is_string()) return bad("message must be a string");
        message = m->as_string();
        if (message.find_first_not_of(" \t\r\n") == std::string::npos) return bad("message must not be empty");
    }
    const auto now_ms = unix_ms(c.wall);
    if (method == "POST") {
        customer_note n;
        n.id = new_uuid();
        n.message = message;
        n.created_at = now_ms;
        // The page token names no staff member: the note is the page's, written through the API.
        n.by_fb_id = c.page->info.id.value();
        n.by_fb_name = c.page->info.name;
        n.by_uid = "public_api";
        pc.notes.push_back(n);
        pc.updated_at = to_utc(c.wall);
        c.out.committed = true;
        // The real answer (pancake-api.md §4.6, OBS S5), richer than the spec's {success}.
        c.out.resp = json_response(200, json::object{{"success", true},
                                                     {"message", "Ghi chú đã được bổ sung thành công"},
                                                     {"note_id", n.id},
                                                     {"data", notes_json(pc)}});
        return std::move(c.out);
    }
    auto* nid = o.if_contains("note_id");
    if (!nid || !nid->is_string() || nid->as_string().empty()) return bad("note_id is required");
    const std::string note_id(nid->as_string());
    auto note = std::find_if(pc.notes.begin(), pc.notes.end(), [&](auto& n) { return n.id == note_id; });
    if (note == pc.notes.end()) return bad("note_id " + note_id + ": note not found");
    if (method == "PUT") {
        if (note->removed_at) return bad("note_id " + note->id + ": note was removed");
        if (note->message != message) {
            note->edit_history.push_back({note->message, now_ms});
            note->message = message;
            note->updated_at = now_ms;
            pc.updated_at = to_utc(c.wall);
            c.out.committed = true;
        }
    } else if (!note->removed_at) {
        note->removed_at = now_ms;
        pc.updated_at = to_utc(c.wall);
        c.out.committed = true;
    }
    c.out.resp = json_response(200, json::object{{"success", true}});
    return std::move(c.out);
}

} // namespace pancake::sim
