// Assigns a batch of unassigned conversations round robin: who may take work comes from
// workflow::staff_directory (available, active in the page, online), the rotation from
// workflow::round_robin_assigner, and its position survives restarts in a file_cursor_store (the
// next run continues after the last person this one chose).
//
//   round_robin [BASE_URL] [PAGE_ID] [PAGE_ACCESS_TOKEN] [CURSOR_FILE] [BATCH]
//   (env: PANCAKE_BASE_URL, PANCAKE_PAGE_ID, PANCAKE_PAGE_ACCESS_TOKEN; defaults: the simulator's
//   sample shop, ./round_robin_cursor.json, 50)
#include <pancake/pancake.hpp>
#include <pancake/workflow/assigners.hpp>
#include <pancake/workflow/conversation_walk.hpp>
#include <pancake/workflow/file_cursor_store.hpp>
#include <pancake/workflow/staff_directory.hpp>

#include <boost/asio.hpp>

#include <cstdlib>
#include <iostream>
#include <map>

namespace asio = boost::asio;
using namespace pancake;

namespace {

std::string arg(int argc, char** argv, int i, const char* env, const char* fallback) {
    if (argc > i) return argv[i];
    if (env)
        if (const char* v = std::getenv(env)) return v;
    return fallback;
}

asio::awaitable<void> run(client& api, page_id page, workflow::cursor_store& cursors, std::size_t batch) {
    // Who may take a new conversation right now, in the assigners' order.
    workflow::staff_directory staff(api, page);
    workflow::eligibility policy;
    policy.require_online = true;
    auto eligible = co_await staff.async_eligible(policy, asio::use_awaitable);
    auto users = co_await api.async_list_users(page);
    std::map<user_id, std::string> names;
    for (auto& u : users.users)
        names[u.id] = u.name;
    std::cout << eligible.size() << " staff eligible:";
    for (auto& id : eligible)
        std::cout << " " << names[id];
    std::cout << "\n";
    if (eligible.empty()) co_return;

    // The unassigned INBOX conversations, every one of them (the walk gets past the 60 cap).
    workflow::walk_filter filter;
    filter.types = {conversation_type::inbox};
    workflow::conversation_walk walk(api, page, filter);
    std::vector<conversation_id> todo;
    for (;;) {
        auto got = co_await walk.async_next(asio::use_awaitable);
        if (got.empty()) break;
        for (auto& c : got)
            if (c.assignee_ids.empty() && todo.size() < batch) todo.push_back(c.id);
    }
    std::cout << todo.size() << " unassigned conversation(s)\n";

    workflow::round_robin_assigner rr(cursors);
    std::map<std::string, std::size_t> per_person;
    for (auto& conv : todo) {
        auto next = rr.next(page, eligible); // load the cursor, choose, save: one step
        if (!next) throw boost::system::system_error(next.error(), "cursor store");
        if (!*next) break;
        const user_id who = **next;
        std::vector<user_id> set;
        set.push_back(who); // (no braced lists inside co_await: GCC 12)
        co_await api.async_assign(page, conv, std::move(set));
        ++per_person[names[who]];
        std::cout << "  " << conv << " -> " << names[who] << "\n";
    }
    for (auto& [name, n] : per_person)
        std::cout << name << ": " << n << "\n";
}

} // namespace

int main(int argc, char** argv) {
    client_config cfg;
    cfg.base_url = arg(argc, argv, 1, "PANCAKE_BASE_URL", "http://127.0.0.1:8080");
    page_id page(arg(argc, argv, 2, "PANCAKE_PAGE_ID", "100000000000001"));
    const auto token = arg(argc, argv, 3, "PANCAKE_PAGE_ACCESS_TOKEN", "pat_hoamai_7f3c2a91e4b84d0c");
    workflow::file_cursor_store cursors(arg(argc, argv, 4, nullptr, "round_robin_cursor.json"));
    const std::size_t batch = std::stoul(arg(argc, argv, 5, nullptr, "50"));
    asio::io_context ioc;
    client api(ioc.get_executor(), cfg);
    api.add_page(page, token);
    int rc = 0;
    asio::co_spawn(ioc, run(api, page, cursors, batch), [&](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            std::cerr << "round_robin failed: " << ex.what() << "\n"; // tokens never appear here
            rc = 1;
        }
    });
    ioc.run();
    return rc;
}
