// Page customers and their notes. Field edits and note edits are set-semantic (a retry lands in
// the same state); adding a note is not, so it is never blindly re-sent.
#pragma once

#include <pancake/endpoints/checks.hpp>
#include <pancake/endpoints/context.hpp>
#include <pancake/json.hpp>
#include <pancake/types/customer.hpp>
#include <pancake/types/results.hpp>

#include <boost/json/serialize.hpp>

#include <cstdio>
#include <string>

namespace pancake::endpoints {

/// GET pages/{page}/page_customers: one page of customers (at most 100).
struct list_customers {
    using response_type = customer_page;
    using result_type = customer_page;
    page_id page;
    customer_query query;

    detail::request to_request(const context& c) const {
        const auto& q = query;
        auto r = c.page_call(verb::get, "v1", page, {"page_customers"},
                             {{"since", std::to_string(q.since)},
                              {"until", std::to_string(q.until)},
                              {"page_number", std::to_string(q.page_number)},
                              {"page_size", std::to_string(q.page_size)},
                              {"order_by", q.order_by_updated_at ? "updated_at" : "inserted_at"}});
        checks::page(r, q.page_number, q.page_size, 100);
        checks::range(r, q.since, q.until);
        return r;
    }
};

/// PUT pages/{page}/page_customers/{id} {"changes": {...}}: only the fields given change.
struct update_customer {
    using response_type = status_result;
    using result_type = status_result;
    page_id page;
    customer_id customer;
    customer_changes changes;

    detail::request to_request(const context& c) const {
        boost::json::object ch;
        if (changes.name) ch["name"] = *changes.name;
        if (changes.gender) ch["gender"] = to_string(*changes.gender);
        if (changes.birthday) {
            const auto& b = *changes.birthday;
            char buf[16];
            std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(b.year()),
                          static_cast<unsigned>(b.month()), static_cast<unsigned>(b.day()));
            ch["birthday"] = buf;
        }
        if (changes.phone_numbers) {
            boost::json::array a;
            for (auto& p : *changes.phone_numbers)
                a.emplace_back(p);
            ch["phone_numbers"] = std::move(a);
        }
        const bool empty = ch.empty();
        auto r = c.page_call(verb::put, "v1", page, {"page_customers", customer.value()}, {},
                             boost::json::serialize(boost::json::object{{"changes", std::move(ch)}}));
        checks::id(r, customer.value(), "customer id");
        if (r.invalid) return r;
        if (empty)
            r.invalid = validation_error{errc::invalid_argument, "no change given"};
        else if (changes.birthday && !changes.birthday->ok())
            r.invalid = validation_error{errc::invalid_argument, "birthday is not a valid date"};
        return r;
    }
};

/// POST pages/{page}/page_customers/{id}/notes {"message"}: at most once (a second send would
/// add a second note). The answer carries the new note's id and every note.
struct add_customer_note {
    using response_type = note_result;
    using result_type = note_result;
    page_id page;
    customer_id customer;
    std::string message;

    detail::request to_request(const context& c) const {
        auto r =
            c.page_call(verb::post, "v1", page, {"page_customers", customer.value(), "notes"}, {},
                        boost::json::serialize(boost::json::object{{"message", message}}), idempotency::at_most_once);
        checks::id(r, customer.value(), "customer id");
        if (!r.invalid && message.empty()) r.invalid = validation_error{errc::invalid_argument, "empty note"};
        return r;
    }
};

/// PUT pages/{page}/page_customers/{id}/notes {"note_id", "message"}: sets the note's text.
struct update_customer_note {
    using response_type = note_result;
    using result_type = note_result;
    page_id page;
    customer_id customer;
    std::string note_id;
    std::string message;

    detail::request to_request(const context& c) const {
        auto r = c.page_call(verb::put, "v1", page, {"page_customers", customer.value(), "notes"}, {},
                             boost::json::serialize(boost::json::object{{"note_id", note_id}, {"message", message}}));
        checks::id(r, customer.value(), "customer id");
        checks::id(r, note_id, "note id");
        if (!r.invalid && message.empty()) r.invalid = validation_error{errc::invalid_argument, "empty note"};
        return r;
    }
};

/// DELETE pages/{page}/page_customers/{id}/notes {"note_id"} (a DELETE with a body).
struct delete_customer_note {
    using response_type = note_result;
    using result_type = note_result;
    page_id page;
    customer_id customer;
    std::string note_id;

    detail::request to_request(const context& c) const {
        auto r = c.page_call(verb::delete_, "v1", page, {"page_customers", customer.value(), "notes"}, {},
                             boost::json::serialize(boost::json::object{{"note_id", note_id}}));
        checks::id(r, customer.value(), "customer id");
        checks::id(r, note_id, "note id");
        return r;
    }
};

} // namespace pancake::endpoints
