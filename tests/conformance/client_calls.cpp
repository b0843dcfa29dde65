// Calls every client operation once, with valid arguments from the simulator's fixture, for the
// spec conformance test: conformance.py runs this against pancake-sim, then checks each request
// the simulator's journal recorded against the OpenAPI document.
//
//   pancake_conformance_client BASE_URL FIXTURE_JSON
//
// Exits 1 if any call fails (every call is still made). To cover a new client operation, add one
// row to `calls` below; rows run in order, so keep operations that rotate tokens
// (generate_page_access_token) last.
#include <pancake/pancake.hpp>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
using namespace pancake;

namespace {

constexpr std::int64_t all_time = 4102444800; // 2100-01-01

/// What the calls need from the fixture (simulator/fixtures/shop.json's layout).
struct fixture {
    json::object doc;
    page_id page;
    std::string page_token;
    std::string platform;
    std::string user_token;
    conversation_id inbox; ///< the first INBOX conversation of `page`
    customer_id customer;  ///< a page-customer id (a conversation's customers[].id), for the customer calls
    tag_id tag{0};
    std::vector<user_id> users;
    std::string sip_package; ///< the first call log's package
    std::string plugin_page; ///< the page's chat plugin id ("web_…")
};

fixture load_fixture(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    fixture f;
    f.doc = json::parse(text.str()).as_object();
    const auto& page = f.doc.at("pages").as_array().at(0).as_object();
    f.page = page_id(json::value_to<std::string>(page.at("id")));
    f.page_token = json::value_to<std::string>(page.at("page_access_token"));
    if (auto* p = page.if_contains("platform")) f.platform = json::value_to<std::string>(*p);
    for (auto& t : f.doc.at("user_tokens").as_array())
        if (!t.as_object().contains("expires_at")) {
            f.user_token = json::value_to<std::string>(t.at("access_token"));
            break;
        }
    for (auto& c : page.at("conversations").as_array()) {
        if (f.inbox.value().empty() && c.at("type") == "INBOX")
            f.inbox = conversation_id(json::value_to<std::string>(c.at("id")));
        if (auto* cs = c.as_object().if_contains("customers"); cs && cs->is_array() && f.customer.value().empty())
            for (auto& cu : cs->as_array())
                if (auto* id = cu.as_object().if_contains("id")) {
                    f.customer = customer_id(json::value_to<std::string>(*id));
                    break;
                }
    }
    if (auto* logs = page.if_contains("sip_call_logs"); logs && !logs->as_array().empty())
        f.sip_package = json::value_to<std::string>(logs->as_array().at(0).at("package_id"));
    if (auto* plugin = page.if_contains("chat_plugin_id")) f.plugin_page = json::value_to<std::string>(*plugin);
    const auto& tags = page.at("tags").as_array();
    f.tag = tag_id(tags.at(tags.size() > 1 ? 1 : 0).at("id").to_number<std::int64_t>());
    for (auto& u : page.at("users").as_array())
        f.users.emplace_back(json::value_to<std::string>(u.at("id")));
    if (f.user_token.empty() || f.inbox.value().empty() || f.users.empty())
        throw std::runtime_error("the fixture lacks a user token, an INBOX conversation or users");
    return f;
}

using call_fn = std::function<asio::awaitable<void>(client&, const fixture&)>;

struct call {
    const char* operation; ///< the document's "METHOD /path", for the log
    call_fn run;
};

// One row per client operation. A row's lambda takes its arguments as parameters (no captures),
// so the coroutine frame never refers to a dead lambda object.
const std::vector<call> calls = {
    {"GET /pages",
     [](client& api, const fixture& f) -> asio::awaitable<void> { co_await api.async_list_pages(f.user_token); }},
    {"GET /pages/{page_id}/tags",
     [](client& api, const fixture& f) -> asio::awaitable<void> { co_await api.async_list_tags(f.page); }},
    {"GET /pages/{page_id}/users",
     [](client& api, const fixture& f) -> asio::awaitable<void> { co_await api.async_list_users(f.page); }},
    {"POST /pages/{page_id}/round_robin_users",
     [](client& api, const fixture& f) -> asio::awaitable<void> {
         round_robin_update u;
         u.inbox = f.users;
         u.comment = std::vector<user_id>(f.users.begin(), f.users.begin() + 1);
         co_await api.async_set_round_robin_users(f.page, u);
     }},
    {"GET /pages/{page_id}/conversations",
     [](client& api, const fixture& f) -> asio::awaitable<void> {
         const conversation_query q;
         co_await api.async_list_conversations(f.page, q);
     }},
    {"GET /pages/{page_id}/conversations (filtered)",
     [](client& api, const fixture& f) -> asio::awaitable<void> {
         conversation_query q;
         q.type = conversation_type::inbox;
         q.since = 0;
         q.until = 4102444800; // 2100-01-01
         q.order_by_inserted_at = true;
         q.unread_first = true;
         co_await api.async_list_conversations(f.page, q);
     }},
    {"GET /pages/{page_id}/conversations/{conversation_id}/messages",
     [](client& api, const fixture& f) -> asio::awaitable<void> {
         co_await api.async_list_messages(f.page, f.inbox, 0);
     }},
    {"POST /pages/{page_id}/conversations/{conversation_id}/tags (add)",
     [](client& api, const fixture& f) -> asio::awaitable<void> {
         co_await api.async_add_tag(f.page, f.inbox, f.tag);
     }},
    {"POST /pages/{page_id}/conversations/{conversation_id}/tags (remove)",
     [](client& api, const fixture& f) -> asio::awaitable<void> {
         co_await api.async_remove_tag(f.page, f.inbox, f.tag);
     }},
    {"POST /pages/{page_id}/conversations/{conversation_id}/assign",
     [](client& api, const fixture& f) -> asio::awaitable<void> {
         std::vector<user_id> who(f.users.begin(), f.users.begin() + 1);
         co_await api.async_assign(f.page, f.inbox, std::move(who));
     }},
    {"POST /pages/{page_id}/conversations/{conversation_id}/read",
     [](client& api, const fixture& f) -> asio::awaitable<void> { co_await api.async_mark_read(f.page, f.inbox); }},
    {"POST /pages/{page_id}/conversations/{conversation_id}/unread",
     [](client& api, const fixture& f) -> asio::awaitable<void> { co_await api.async_mark_unread(f.page, f.inbox); }},
    {"POST /pages/{page_id}/conversations/{conversation_id}/messages",
     [](client& api, const fixture& f) -> asio::awaitable<void> {
         co_await api.async_send_message(f.page, f.inbox, send_message_request::inbox_reply("Dạ shop chào bạn ạ"));
     }},
    {"GET /pages/{page_id}/page_customers",
     [](client& api, const fixture& f) -> asio::awaitable<void> {
         const customer_query q{0, all_time, 1, 100, true};
         co_await api.async_list_customers(f.page, q);
     }},
    {"PUT /pages/{page_id}/page_customers/{page_customer_id}",
     [](client& api, const fixture& f) -> asio::awaitable<void> {
         customer_changes ch;
         ch.name = "Nguyễn Thị Hoa";
         ch.gender = gender::female;
         ch.birthday = std::chrono::year(1995) / 3 / 7;
         ch.phone_numbers = std::vector<std::string>{"0901234567"};
         co_await api.async_update_customer(f.page, f.customer, ch);
     }},
    {"POST|PUT|DELETE /pages/{page_id}/page_customers/{page_customer_id}/notes",
     [](client& api, const fixture& f) -> asio::awaitable<void> {
         auto added = co_await api.async_add_customer_note(f.page, f.customer, "Khách thích gọi buổi chiều");
         if (!added.note_id) throw std::runtime_error("the notes POST answer has no note_id");
         co_await api.async_update_customer_note(f.page, f.customer, *added.note_id, "Khách thích gọi buổi sáng");
         co_await api.async_delete_customer_note(f.page, f.customer, *added.note_id);
     }},
    {"GET /pages/{page_id}/statistics/*",
     [](client& api, const fixture& f) -> asio::awaitable<void> {
         using namespace std::chrono;
         const auto range = local_range::whole_days(year(2025) / 12 / 20, year(2026) / 1 / 3); // by_hour: ≤ 31 days
         // 1/12/2025 – 3/1/2026: the fixture's ads ran 28/12–2/1 (the simulator refuses ranges over 366 days).
         const std::int64_t since = 1764547200, until = 1767484799;
         co_await api.async_campaign_statistics(f.page, since, until);
         co_await api.async_ad_statistics(f.page, since, until, ads_grouping::by_id);
         co_await api.async_ad_statistics(f.page, since, until, ads_grouping::by_time);
         const engagement_query eq{range, true, f.users};
         co_await api.async_engagement_statistics(f.page, eq);
         co_await api.async_page_statistics(f.page, since, until);
         co_await api.async_tag_statistics(f.page, since, until);
         co_await api.async_user_statistics(f.page, range);
     }},
    {"GET /pages/{page_id}/posts",
     [](client& api, const fixture& f) -> asio::awaitable<void> {
         const post_query q{0, all_time, 1, 30, post_type::photo};
         co_await api.async_list_posts(f.page, q);
     }},
    {"GET /pages/{page_id}/sip_call_logs",
     [](client& api, const fixture& f) -> asio::awaitable<void> {
         // Named: GCC 12 destroys a temporary with a destructor in a co_await expression twice.
         const call_log_query q{f.sip_package, 1, 30, 0, all_time};
         co_await api.async_list_call_logs(f.page, q);
     }},
    {"GET /pages/{page_id}/export_data",
     [](client& api, const fixture& f) -> asio::awaitable<void> {
         const ad_conversation_query q{0, all_time, 0};
         co_await api.async_export_ad_conversations(f.page, q);
     }},
    {"POST /pages/{page_id}/upload_contents",
     [](client& api, const fixture& f) -> asio::awaitable<void> {
         auto source = endpoints::upload_source::bytes("ao-dai.png", "\x89PNG\r\n");
         co_await api.async_upload_content(f.page, std::move(source));
     }},
    {"POST|GET /pke_chat_plugin/messages",
     [](client& api, const fixture& f) -> asio::awaitable<void> {
         chat_plugin_send m;
         m.from_id = "web_visitor_1";
         m.dummy_id = 1765875902892;
         m.inserted_at = 1765875902892;
         m.name = "Khách web";
         m.message = "Shop ơi còn áo size M không?";
         auto sent = co_await api.async_send_chat_plugin_message(f.plugin_page, m);
         co_await api.async_list_chat_plugin_messages(f.plugin_page, sent.conversation_id, 0);
     }},
    // Last: it invalidates the page's token (the calls above need it); the client takes the new one.
    {"POST /pages/{page_id}/generate_page_access_token",
     [](client& api, const fixture& f) -> asio::awaitable<void> {
         co_await api.async_generate_page_access_token(f.page, f.user_token);
         co_await api.async_list_tags(f.page); // with the new token
     }},
};

asio::awaitable<int> run_all(client& api, const fixture& f) {
    int failed = 0;
    for (auto& c : calls) {
        try {
            co_await c.run(api, f);
            std::cout << "ok      " << c.operation << "\n";
        } catch (const std::exception& e) {
            ++failed;
            std::cout << "FAILED  " << c.operation << ": " << e.what() << "\n";
        }
    }
    co_return failed;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: pancake_conformance_client BASE_URL FIXTURE_JSON\n";
        return 2;
    }
    try {
        const fixture f = load_fixture(argv[2]);
        client_config cfg;
        cfg.base_url = argv[1];
        asio::io_context ioc;
        client api(ioc.get_executor(), cfg);
        api.add_page(f.page, f.page_token, f.platform.empty() ? "facebook" : f.platform);
        int failed = -1;
        asio::co_spawn(ioc, run_all(api, f), [&](std::exception_ptr e, int n) {
            if (e) std::rethrow_exception(e);
            failed = n;
        });
        ioc.run();
        std::cout << calls.size() << " calls, " << failed << " failed\n";
        return failed == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "pancake_conformance_client: " << e.what() << "\n";
        return 1;
    }
}
