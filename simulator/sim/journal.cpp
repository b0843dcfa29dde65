#include "journal.hpp"

#include "paging.hpp"

namespace pancake::sim {

namespace {
json::object entry_json(const journal_entry& e) {
    json::object o{{"seq", e.seq},
                   {"method", e.method},
                   {"path", e.path},
                   {"body", e.body},
                   {"status", e.status},
                   {"route", e.route},
                   {"page", e.page},
                   {"fault", e.fault},
                   {"t", e.t},
                   {"wall", utc_time(std::chrono::time_point_cast<std::chrono::microseconds>(e.wall)).to_string()}};
    o["content_type"] = e.content_type;
    o["arrived"] = e.arrived;
    return o;
}
} // namespace

std::size_t request_journal::entry_bytes(const journal_entry& e) {
    return sizeof(journal_entry) + e.method.size() + e.path.size() + e.body.size() + e.route.size() + e.page.size() +
           e.fault.size() + e.content_type.size();
}

void request_journal::record(journal_entry e, double t, wall_time wall, const secret_redactor& redactor) {
    e.seq = ++seq_;
    e.t = t;
    e.wall = wall;
    // Redact before cutting, so a token across the cut leaves no prefix behind; look a little
    // past the cap (a token written as \u00XX escapes is six times its length).
    if (const auto look = limits_.body_cap + 6 * redactor.longest(); e.body.size() > look)
        e.body = redactor.redact(std::string_view(e.body).substr(0, look));
    else
        redactor.redact_in_place(e.body);
    clean_utf8_in_place(e.body);
    cut_utf8(e.body, limits_.body_cap);
    redactor.redact_target_in_place(e.path);
    redactor.redact_in_place(e.page);
    for (auto* text : {&e.path, &e.method, &e.route, &e.page, &e.content_type})
        clean_utf8_in_place(*text);
    bytes_ += entry_bytes(e);
    entries_.push_back(std::move(e));
    while (!entries_.empty() && (entries_.size() > limits_.max_entries || bytes_ > limits_.max_bytes)) {
        bytes_ -= entry_bytes(entries_.front());
        entries_.pop_front();
        ++dropped_;
    }
}

void request_journal::clear() {
    entries_.clear();
    bytes_ = 0;
}

std::size_t request_journal::count(const journal_filter& f) const {
    std::size_t n = 0;
    for (auto& e : entries_)
        if ((!f.route || e.route == *f.route) && (!f.page || e.page == *f.page) &&
            (!f.status || std::to_string(e.status) == *f.status) && (!f.method || e.method == *f.method))
            ++n;
    return n;
}

json::value request_journal::page(std::uint64_t after, std::size_t limit) const {
    return page_of(
        entries_, after, limit, [](auto& e) { return e.seq; }, [](auto& e) { return entry_bytes(e); },
        [](auto& e) { return json::value(entry_json(e)); }, "journal", dropped_);
}

json::value request_journal::to_json() const {
    json::array a;
    for (auto& e : entries_)
        a.push_back(entry_json(e));
    return json::object{{"journal", std::move(a)}};
}

} // namespace pancake::sim
