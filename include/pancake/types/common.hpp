// Small shapes shared by conversations, messages and webhooks.
#pragma once

#include <pancake/detail/json_reader.hpp>
#include <pancake/detail/json_writer.hpp>
#include <pancake/ids.hpp>
#include <pancake/types/time.hpp>

#include <boost/describe/class.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pancake {

/// `from` of a conversation or post: the customer, or the page for page-initiated threads.
struct party {
    std::string id;
    std::string name;
    std::optional<std::string> email;
    std::optional<std::string> page_customer_id; // webhook messages carry it
};
BOOST_DESCRIBE_STRUCT(party, (), (id, name, email, page_customer_id))

/// `last_sent_by` / message `from`: who sent a message (customer, staff member, or bot).
struct sender {
    std::string id;
    std::string name;
    std::optional<std::string> email;
    std::optional<std::string> uid;
    std::optional<std::string> admin_id;
    std::optional<std::string> admin_name;
    std::optional<std::string> platform;
    std::optional<std::string> page_customer_id;
    bool ai_generated = false;
    bool is_automated = false;
};
BOOST_DESCRIBE_STRUCT(sender, (),
                      (id, name, email, uid, admin_id, admin_name, platform, page_customer_id, ai_generated,
                       is_automated))

/// An entry of `customers[]`: the page-customer UUID (what page_customers/{id} expects).
struct customer_ref {
    std::string id;
    std::optional<std::string> fb_id;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(customer_ref, (), (id, fb_id, name))

/// A staff member as embedded in assignment data.
struct assign_user {
    user_id id;
    std::string name;
    std::optional<std::string> email;
    std::optional<std::string> fb_id;
};
BOOST_DESCRIBE_STRUCT(assign_user, (), (id, name, email, fb_id))
PANCAKE_REQUIRED_FIELDS(assign_user, "id")

} // namespace pancake
