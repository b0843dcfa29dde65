// The seed article's workflow as a C++ bot: load the tag map, tag conversations by keyword,
// assign staff round-robin, and mark them unread for follow-up. Runs against pancake-sim by
// default (the sample shop), or pages.fm with real credentials:
//
//   seed_flow [BASE_URL] [PAGE_ID] [PAGE_ACCESS_TOKEN]
//   (env: PANCAKE_BASE_URL, PANCAKE_PAGE_ID, PANCAKE_PAGE_ACCESS_TOKEN)
#include <pancake/pancake.hpp>
#include <pancake/workflow/keyword_rules.hpp>
#include <pancake/workflow/tag_directory.hpp>

#include <boost/asio.hpp>

#include <cstdlib>
#include <iostream>

namespace asio = boost::asio;
using namespace pancake;

namespace {

std::string arg(int argc, char** argv, int i, const char* env, const char* fallback) {
    if (argc > i) return argv[i];
    if (const char* v = std::getenv(env)) return v;
    return fallback;
}

// The article's keyword table as the library's keyword rules: whole words, case and accents
// ignored ("dat hang" finds "Đặt hàng"; "mua" does not fire inside "muachung").
const char* const rules_json = R"({"rules":[
  {"tag":"đặt hàng","keywords":["đặt hàng","mua","order"]},
  {"tag":"hỏi giá","keywords":["giá","price"]},
  {"tag":"khiếu nại","keywords":["khiếu nại","complaint"]}]})";

asio::awaitable<void> run(client& api, page_id page) {
    // 1. Rules, and the page's tags by name (cached for an hour, names compared folded).
    auto rules = workflow::keyword_rules::parse(rules_json).value();
    workflow::tag_directory tags(api, page);
    std::cout << "loaded " << (co_await tags.async_tags()).size() << " tags\n";

    // 2. Who can take work.
    auto staff = co_await api.async_list_users(page);
    std::vector<user> available;
    for (auto& u : staff.users)
        if (u.assignable() && u.is_online) available.push_back(u);
    std::cout << available.size() << " staff available\n";

    // 3. Unread conversations, newest first.
    conversation_query q;
    q.unread_first = true;
    auto list = co_await api.async_list_conversations(page, q);
    std::size_t cursor = 0;
    for (auto& c : list.conversations) {
        if (c.seen) continue;
        std::cout << "conversation " << c.id << ": \"" << c.snippet.value_or("") << "\"\n";
        for (auto& name : rules.tags_for(c.snippet.value_or(""))) {
            auto [fec, t] = co_await tags.async_find(name, asio::as_tuple(asio::deferred));
            if (fec) continue; // the page has no such tag
            auto r = co_await api.async_add_tag(page, c.id, t.id);
            std::cout << "  tagged \"" << t.text << "\" -> tags now [";
            for (std::size_t i = 0; i < r.data.size(); ++i)
                std::cout << (i ? "," : "") << r.data[i];
            std::cout << "]\n";
        }
        if (c.assignee_ids.empty() && !available.empty()) {
            auto& who = available[cursor++ % available.size()];
            std::vector<user_id> assignees;
            assignees.push_back(who.id); // (no braced lists inside co_await: GCC 12 bug)
            co_await api.async_assign(page, c.id, std::move(assignees));
            std::cout << "  assigned to " << who.name << "\n";
        }
        co_await api.async_mark_unread(page, c.id);
        std::cout << "  marked unread for follow-up\n";
    }
}

} // namespace

int main(int argc, char** argv) {
    client_config cfg;
    cfg.base_url = arg(argc, argv, 1, "PANCAKE_BASE_URL", "http://127.0.0.1:8080");
    page_id page(arg(argc, argv, 2, "PANCAKE_PAGE_ID", "100000000000001"));
    asio::io_context ioc;
    client api(ioc.get_executor(), cfg);
    api.add_page(page, arg(argc, argv, 3, "PANCAKE_PAGE_ACCESS_TOKEN", "pat_hoamai_7f3c2a91e4b84d0c"));
    int rc = 0;
    asio::co_spawn(ioc, run(api, page), [&](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            std::cerr << "seed_flow failed: " << ex.what() << "\n"; // tokens never appear here
            rc = 1;
        }
    });
    ioc.run();
    return rc;
}
