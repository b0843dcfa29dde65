// The simulator's pure model under any request sequence: world::handle on requests built from the
// fuzz bytes, several per input so state evolves (tags, assignments, notes, rate windows). It must
// never crash, and every answer must be a well-formed HTTP answer.
//
// Input: [behaviour bits: 2 bytes; the top bit checks snapshot/restore] then, per request (up to 8):
//   [method][route][page][id][token][time step][u16 LE len][query or raw target][u16 LE len][body]
// A route byte past the route table uses the query string as the whole target.
#include "fuzz_check.hpp"

#include <pancake/webhook/parse.hpp>

#include <sim/server.hpp>
#include <sim/world.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

namespace sim = pancake::sim;

struct reader {
    const std::uint8_t* p;
    std::size_t n;
    bool empty() const noexcept { return n == 0; }
    std::uint8_t byte() noexcept {
        if (!n) return 0;
        --n;
        return *p++;
    }
    std::string_view str() noexcept {
        std::size_t len = byte();
        len |= std::size_t{byte()} << 8;
        if (len > n) len = n;
        std::string_view s(reinterpret_cast<const char*>(p), len);
        p += len;
        n -= len;
        return s;
    }
};

// The fixture's pages, tokens and ids (simulator/fixtures/shop.json), so routes past the token
// check and the lookups are reached. Index 2 in each table is "something else".
constexpr std::array<std::string_view, 3> pages{"100000000000001", "100000000000002", "999"};
constexpr std::array<std::string_view, 3> page_tokens{"pat_hoamai_7f3c2a91e4b84d0c", "pat_senvang_5d1e8b7a3c6f4e21",
                                                      "pat_wrong"};
constexpr std::array<std::string_view, 8> ids{"100000000000001_200000000000001",
                                              "100000000000001_200000000000002",
                                              "100000000000002_500000000000001",
                                              "600000000000001_700000000000001",
                                              "d1e2f3a4-0000-4000-8000-000000000001",
                                              "e1f2a3b4-0000-4000-8000-000000000001",
                                              "unknown",
                                              ""};
constexpr std::array<std::string_view, 6> methods{"GET", "POST", "PUT", "DELETE", "PATCH", "get"};

// {P}: page id, {I}: conversation or customer id. "public" routes take page_access_token, the
// /api/v1 ones a user access_token.
struct route {
    std::string_view path;
    bool page_token;
};
constexpr std::array<route, 26> routes{{
    {"/api/v1/pages", false},
    {"/api/v1/pages/{P}/generate_page_access_token", false},
    {"/api/v1/pke_chat_plugin/messages", false},
    {"/api/public_api/v2/pages/{P}/conversations", true},
    {"/api/public_api/v1/pages/{P}/tags", true},
    {"/api/public_api/v1/pages/{P}/users", true},
    {"/api/public_api/v1/pages/{P}/round_robin_users", true},
    {"/api/public_api/v1/pages/{P}/upload_contents", true},
    {"/api/public_api/v1/pages/{P}/page_customers", true},
    {"/api/public_api/v1/pages/{P}/page_customers/{I}", true},
    {"/api/public_api/v1/pages/{P}/page_customers/{I}/notes", true},
    {"/api/public_api/v1/pages/{P}/posts", true},
    {"/api/public_api/v1/pages/{P}/sip_call_logs", true},
    {"/api/public_api/v1/pages/{P}/export_data", true},
    {"/api/public_api/v1/pages/{P}/statistics/pages", true},
    {"/api/public_api/v1/pages/{P}/statistics/tags", true},
    {"/api/public_api/v1/pages/{P}/statistics/users", true},
    {"/api/public_api/v1/pages/{P}/statistics/customer_engagements", true},
    {"/api/public_api/v1/pages/{P}/statistics/pages_campaigns", true},
    {"/api/public_api/v1/pages/{P}/statistics/ads", true},
    {"/api/public_api/v1/pages/{P}/conversations/{I}/tags", true},
    {"/api/public_api/v1/pages/{P}/conversations/{I}/assign", true},
    {"/api/public_api/v1/pages/{P}/conversations/{I}/read", true},
    {"/api/public_api/v1/pages/{P}/conversations/{I}/unread", true},
    {"/api/public_api/v1/pages/{P}/conversations/{I}/messages", true},
    {"/api/public_api/v2/pages/{P}/conversations/{I}/messages", true},
}};

std::string expand(std::string_view tmpl, std::string_view page, std::string_view id) {
    std::string out;
    for (std::size_t i = 0; i < tmpl.size(); ++i) {
        if (tmpl.substr(i, 3) == "{P}") {
            out += page;
            i += 2;
        } else if (tmpl.substr(i, 3) == "{I}") {
            out += id;
            i += 2;
        } else {
            out += tmpl[i];
        }
    }
    return out;
}

sim::behaviour behaviour_from(std::uint16_t bits) {
    sim::behaviour b;
    auto bit = [&](int i) { return ((bits >> i) & 1) != 0; };
    b.reject_duplicate_tag_add = bit(0);
    b.reject_absent_tag_remove = bit(1);
    b.reject_unknown_tag = !bit(2);
    b.unknown_conversation_html = bit(3);
    b.reject_fb_id_assignee = !bit(4);
    b.reject_empty_assign = bit(5);
    b.round_robin_missing_key_clears = bit(6);
    b.accept_access_token_alias = bit(7);
    b.invalid_token_status = bit(8) ? 401 : 200;
    b.errors_as_200 = bit(9);
    b.multi_type_or = bit(10);
    b.cursor_outside_filter_empty = bit(11);
    b.rest_conversation_version = bit(12);
    b.accept_unknown_content_ids = bit(13);
    b.allow_repeat_private_reply = bit(14);
    return b;
}

const sim::world& loaded_world() {
    static const sim::world w = [] {
        sim::world x(1);
        std::string err;
        PANCAKE_FUZZ_CHECK(x.load_fixture(sim::sample_fixture(), err));
        return x;
    }();
    return w;
}

void check_response(const sim::handle_result& r) {
    PANCAKE_FUZZ_CHECK(r.resp.status >= 100 && r.resp.status <= 599);
    PANCAKE_FUZZ_CHECK(!r.route.empty());
    if (r.resp.content_type.starts_with("application/json") && !r.resp.body.empty()) {
        boost::system::error_code ec;
        boost::json::parse(r.resp.body, ec);
        PANCAKE_FUZZ_CHECK(!ec);
    }
    // The model posts envelopes the client library must be able to read.
    for (const auto& e : r.events) {
        PANCAKE_FUZZ_CHECK(e.body.is_object());
        PANCAKE_FUZZ_CHECK(pancake::decode_webhook(e.body).has_value());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    reader in{data, size};
    sim::world w = loaded_world(); // a copy: every input starts from the fixture
    std::uint16_t bits = in.byte();
    bits = static_cast<std::uint16_t>(bits | (in.byte() << 8));
    w.behaviour_config() = behaviour_from(bits);

    auto now = sim::steady_time{} + std::chrono::hours(1);
    auto wall = sim::wall_time{} + std::chrono::seconds(1774000000); // March 2026, as the fixture
    for (int i = 0; i < 8 && !in.empty(); ++i) {
        const auto method = in.byte();
        const auto route_sel = in.byte();
        const auto page_sel = in.byte() % pages.size();
        const auto id_sel = in.byte() % ids.size();
        const auto token_sel = in.byte();
        const auto step = std::chrono::milliseconds(in.byte() * 20);
        const auto query = in.str();
        const auto body = in.str();

        sim::request req;
        req.method = std::string(method < methods.size() ? methods[method] : methods[method % 2]);
        if (route_sel >= routes.size()) {
            req.target = std::string(query); // anything at all as the target
        } else {
            const auto& rt = routes[route_sel];
            req.target = expand(rt.path, pages[page_sel], ids[id_sel]);
            char sep = '?';
            switch (token_sel % 4) {
            case 0: // the right token for the page (or the owner's user token)
                req.target += rt.page_token ? "?page_access_token=" + std::string(page_tokens[page_sel])
                                            : std::string("?access_token=uat_hoamai_owner_2026");
                sep = '&';
                break;
            case 1:
                req.target += rt.page_token ? "?page_access_token=" + std::string(page_tokens[(page_sel + 1) % 3])
                                            : std::string("?access_token=uat_expired_token");
                sep = '&';
                break;
            case 2:
                break; // none
            default:
                req.target +=
                    "?page_access_token=" + std::string(page_tokens[0]) + "&access_token=uat_hoamai_owner_2026";
                sep = '&';
                break;
            }
            if (!query.empty()) {
                req.target += sep;
                req.target += query;
            }
        }
        req.body = std::string(body);

        now += step;
        wall += step;
        const auto r = w.handle(req, now, wall);
        check_response(r);
        // route_name is what the journal and fault matching use: same answer as handle.
        PANCAKE_FUZZ_CHECK(sim::world::route_name(req).first == r.route || r.route == "invalid");
    }

    // The evolved state survives snapshot -> restore unchanged. Every other input only: the
    // round trip of the whole fixture as JSON costs more than the requests.
    if ((bits & 0x8000) == 0) return 0;
    const auto snap = w.snapshot();
    sim::world copy(1);
    std::string err;
    PANCAKE_FUZZ_CHECK(copy.restore(snap, err));
    PANCAKE_FUZZ_CHECK(copy.snapshot() == snap);
    return 0;
}
