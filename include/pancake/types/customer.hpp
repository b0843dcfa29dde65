// Page customers (the CRM record behind a conversation's customer) and their notes.
#pragma once

#include <pancake/types/common.hpp>

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pancake {

/// `created_by` of a note: the staff member who wrote it.
struct note_author {
    std::string fb_id;
    std::string fb_name;
    std::string uid;
};
BOOST_DESCRIBE_STRUCT(note_author, (), (fb_id, fb_name, uid))

/// A note on a page customer. Times are unix milliseconds, as the API sends them.
struct customer_note {
    std::string id;
    std::string message;
    std::optional<std::int64_t> created_at;
    std::optional<note_author> created_by;
    std::vector<boost::json::value> edit_history; ///< undocumented entries, kept as sent
    std::vector<std::string> images;
    std::vector<std::string> links;
    std::optional<std::string> order_id;
    std::optional<std::int64_t> removed_at; ///< set: the note was deleted
    std::optional<std::int64_t> updated_at;
};
BOOST_DESCRIBE_STRUCT(customer_note, (),
                      (id, message, created_at, created_by, edit_history, images, links, order_id, removed_at,
                       updated_at))
PANCAKE_REQUIRED_FIELDS(customer_note, "id")

/// An entry of GET page_customers. `id` is the page-customer UUID the page_customers/{id} calls
/// take (the real service sends it; the document lists only `psid`).
struct page_customer {
    customer_id id;
    std::string psid;
    std::string name;
    std::optional<std::string> birthday; ///< "YYYY-MM-DD"
    std::optional<std::string> gender;   ///< "male" | "female" | "unknown"
    std::optional<std::string> lives_in;
    std::vector<std::string> phone_numbers;
    std::optional<utc_time> inserted_at;
    std::optional<utc_time> updated_at;
    std::vector<customer_note> notes;
};
BOOST_DESCRIBE_STRUCT(page_customer, (),
                      (id, psid, name, birthday, gender, lives_in, phone_numbers, inserted_at, updated_at, notes))

/// The GET page_customers answer: one page of customers and the total over all pages.
struct customer_page {
    std::int64_t total = 0;
    std::vector<page_customer> customers;
};
BOOST_DESCRIBE_STRUCT(customer_page, (), (total, customers))
PANCAKE_REQUIRED_FIELDS(customer_page, "customers")

/// GET page_customers: customers created (or updated) in [since, until], newest first.
struct customer_query {
    std::int64_t since = 0; ///< unix seconds, required by the API
    std::int64_t until = 0;
    std::int64_t page_number = 1;     ///< from 1
    std::int64_t page_size = 100;     ///< at most 100
    bool order_by_updated_at = false; ///< sort (descending) on updated_at instead of inserted_at
};

enum class gender { male, female, unknown };

constexpr std::string_view to_string(gender g) noexcept {
    switch (g) {
    case gender::male:
        return "male";
    case gender::female:
        return "female";
    case gender::unknown:
        return "unknown";
    }
    return "unknown";
}

/// PUT page_customers/{id}: the fields to set (absent ones keep their value).
struct customer_changes {
    std::optional<std::string> name;
    std::optional<pancake::gender> gender;
    std::optional<std::chrono::year_month_day> birthday;
    std::optional<std::vector<std::string>> phone_numbers; ///< replaces the list
};

/// The notes POST/PUT/DELETE answer. The real POST answer also carries the new note's id and
/// every note of the customer (the document shows only `success`).
struct note_result {
    bool success = false;
    std::optional<std::string> message;
    std::optional<std::string> note_id;
    std::optional<std::vector<customer_note>> data;
};
BOOST_DESCRIBE_STRUCT(note_result, (), (success, message, note_id, data))
PANCAKE_REQUIRED_FIELDS(note_result, "success")

} // namespace pancake
