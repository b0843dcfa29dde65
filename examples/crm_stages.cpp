// Tags as CRM pipeline stages: a callback maps a conversation's tags to a stage, a walk over
// every conversation counts them, and moving a conversation to a stage replaces its stage tag
// with workflow::conversation_editor::async_set_tags (its other tags stay).
//
//   crm_stages [BASE_URL] [PAGE_ID] [PAGE_ACCESS_TOKEN] [--move CONVERSATION_ID STAGE]
//   (env: PANCAKE_BASE_URL, PANCAKE_PAGE_ID, PANCAKE_PAGE_ACCESS_TOKEN; defaults: the simulator's
//   sample shop)
#include <pancake/pancake.hpp>
#include <pancake/workflow/assignees.hpp>
#include <pancake/workflow/conversation_walk.hpp>

#include <boost/asio.hpp>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <optional>

namespace asio = boost::asio;
using namespace pancake;

namespace {

// The shop's stages, each held by one tag, most advanced first (a conversation carrying several
// stage tags is in the first one listed).
struct stage {
    std::string name, tag;
};
const std::vector<stage> stages{
    {"complaint", "Khiếu nại"}, {"won", "Đặt hàng"}, {"delivery", "Kiểm hàng"}, {"interested", "Hỏi giá"}};

// The user's mapping: a conversation's tag names → its stage.
using stage_mapper = std::function<std::string(const std::vector<std::string>& tag_names)>;

std::string default_stage(const std::vector<std::string>& names) {
    for (auto& s : stages)
        if (std::find(names.begin(), names.end(), s.tag) != names.end()) return s.name;
    return "new";
}

asio::awaitable<void> run(client& api, page_id page, stage_mapper stage_of,
                          std::optional<std::pair<std::string, std::string>> move) {
    auto tags = co_await api.async_list_tags(page);
    std::map<tag_id, std::string> tag_name;
    for (auto& t : tags)
        tag_name[t.id] = t.text;
    auto names_of = [&](const conversation& c) {
        std::vector<std::string> out;
        for (auto& id : c.tag_ids())
            out.push_back(tag_name.count(id) ? tag_name[id] : "#" + std::to_string(id.value()));
        return out;
    };

    if (move) {
        // Move: drop the conversation's stage tags, add the new stage's tag, keep the rest.
        auto target = std::find_if(stages.begin(), stages.end(), [&](auto& s) { return s.name == move->second; });
        if (target == stages.end() && move->second != "new")
            throw std::invalid_argument("unknown stage " + move->second);
        workflow::walk_filter filter;
        workflow::conversation_walk find(api, page, filter);
        std::vector<tag_id> desired;
        bool found = false;
        for (;;) {
            auto got = co_await find.async_next(asio::use_awaitable);
            if (got.empty()) break;
            for (auto& c : got)
                if (c.id.value() == move->first) {
                    found = true;
                    for (auto& id : c.tag_ids()) {
                        const auto& n = tag_name[id];
                        if (std::none_of(stages.begin(), stages.end(), [&](auto& s) { return s.tag == n; }))
                            desired.push_back(id);
                    }
                }
        }
        if (!found) throw std::invalid_argument("no conversation " + move->first);
        if (target != stages.end())
            for (auto& t : tags)
                if (t.text == target->tag) desired.push_back(t.id);
        workflow::conversation_editor editor(api);
        auto after =
            co_await editor.async_set_tags(page, conversation_id(move->first), std::move(desired), asio::use_awaitable);
        std::cout << move->first << " moved to " << move->second << "; tags now:";
        for (auto& id : after)
            std::cout << " " << tag_name[id];
        std::cout << "\n";
    }

    // Count: every conversation of the page, each once.
    workflow::conversation_walk walk(api, page);
    std::map<std::string, std::size_t> count;
    std::size_t total = 0;
    for (;;) {
        auto got = co_await walk.async_next(asio::use_awaitable);
        if (got.empty()) break;
        for (auto& c : got) {
            ++count[stage_of(names_of(c))];
            ++total;
        }
    }
    std::cout << total << " conversations by stage:\n";
    for (auto& s : stages)
        std::cout << "  " << s.name << " (" << s.tag << "): " << count[s.name] << "\n";
    std::cout << "  new (no stage tag): " << count["new"] << "\n";
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> pos;
    std::optional<std::pair<std::string, std::string>> move;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--move" && i + 2 < argc) {
            move.emplace(argv[i + 1], argv[i + 2]);
            i += 2;
        } else {
            pos.push_back(a);
        }
    }
    auto arg = [&](std::size_t i, const char* env, const char* fallback) -> std::string {
        if (pos.size() > i) return pos[i];
        if (const char* v = std::getenv(env)) return v;
        return fallback;
    };
    client_config cfg;
    cfg.base_url = arg(0, "PANCAKE_BASE_URL", "http://127.0.0.1:8080");
    page_id page(arg(1, "PANCAKE_PAGE_ID", "100000000000001"));
    asio::io_context ioc;
    client api(ioc.get_executor(), cfg);
    api.add_page(page, arg(2, "PANCAKE_PAGE_ACCESS_TOKEN", "pat_hoamai_7f3c2a91e4b84d0c"));
    int rc = 0;
    asio::co_spawn(ioc, run(api, page, default_stage, move), [&](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            std::cerr << "crm_stages failed: " << ex.what() << "\n"; // tokens never appear here
            rc = 1;
        }
    });
    ioc.run();
    return rc;
}
