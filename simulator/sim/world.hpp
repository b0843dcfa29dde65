// The simulator's pure model: pages, tokens, tags, users, conversations, messages, rate-limit
// windows. One entry point, handle(request, now) -> response + emitted webhook events. No I/O,
// no real clock, no unseeded randomness: same fixture + seed + requests = same answers.
#pragma once

#include "activity.hpp"
#include "activity_history.hpp"
#include "listing_index.hpp"
#include "packed_json.hpp"
#include "rate_window.hpp"
#include "response.hpp"
#include "text.hpp"

#include <pancake/clock.hpp>
#include <pancake/types.hpp>

#include <boost/json/value.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace pancake::sim {

using wall_time = std::chrono::system_clock::time_point;

/// A webhook the model wants delivered (the envelope, exactly as Pancake posts it).
struct emitted_event {
    pancake::page_id page;
    json::value body;
};

struct handle_result {
    response resp;
    std::vector<emitted_event> events;
    bool committed = false; ///< the request changed state (for "commit then lose the response")
    std::string route;      ///< route name for journal and fault matching ("tags.add", "assign", …)
    std::string page;       ///< page id from the path, if any
};

/// Where the real API's behaviour is undocumented, the simulator picks the most plausible answer
/// and lets you switch. Defaults are documented in simulator/README.md.
struct behaviour {
    bool reject_duplicate_tag_add = false;       ///< default: adding a present tag succeeds, no change
    bool reject_absent_tag_remove = false;       ///< default: removing an absent tag succeeds, no change
    bool reject_unknown_tag = true;              ///< default: 400 {success:false,"Tag not found"}
    bool unknown_conversation_html = false;      ///< default: 404 {success:false,"Conversation not found"}
    bool reject_fb_id_assignee = true;           ///< default: 400 (the seed article's "400 when assign")
    bool reject_empty_assign = false;            ///< default: [] unassigns everyone
    bool round_robin_missing_key_clears = false; ///< default: a missing key keeps that list
    bool accept_access_token_alias = false;      ///< accept ?access_token= on public_api
    unsigned invalid_token_status = 200;         ///< HTTP status of the error_code 102 body
    // Issue 15 (audit against the documents):
    bool errors_as_200 = false;               ///< the invented 4xx answers come as HTTP 200 + success:false
    bool multi_type_or = false;               ///< several `type[]` values OR together (default: 0 results)
    bool cursor_outside_filter_empty = false; ///< old: a cursor not in the filtered list gives an empty page
    bool rest_conversation_version = false;   ///< REST conversations carry `version` (webhooks only, per spec)
    bool accept_unknown_content_ids = false;  ///< default: content_ids must come from upload_contents
    bool allow_repeat_private_reply = false;  ///< default: one private reply per comment (Facebook's rule)
};

struct rate_limit_config {
    int per_second = 5;                  ///< per page; <= 0 disables
    std::map<std::string, int> per_page; ///< overrides ("shared with other apps" budgets)
    bool retry_after = false;            ///< send Retry-After on 429 (undocumented: off)
    bool fixed_window = false;           ///< default: sliding 1 s window (the strictest reading)
};

/// A note on a page customer. Times are unix milliseconds, as the API gives them.
struct customer_note {
    struct edit {
        std::string message; ///< the text before the edit
        std::int64_t edited_at = 0;
    };
    std::string id;
    std::string message;
    std::int64_t created_at = 0;
    std::string by_fb_id, by_fb_name, by_uid; ///< created_by
    std::vector<edit> edit_history;
    std::vector<std::string> images, links;
    std::optional<std::string> order_id;
    std::optional<std::int64_t> updated_at, removed_at; ///< a deleted note stays, with removed_at
};

/// A page customer (page_customers): `id` is the page-customer UUID of conversations' customers[].
struct page_customer {
    std::string id;
    std::string psid;
    std::string name;
    std::optional<std::string> gender, birthday, lives_in; ///< birthday "YYYY-MM-DD"
    std::vector<std::string> phone_numbers;
    utc_time inserted_at, updated_at;
    std::vector<customer_note> notes;
};

/// A post of the page (GET posts); its comment_count is computed from the COMMENT conversations.
struct page_post {
    std::string id;
    std::string type;    ///< video | photo | text | livestream | … as the fixture says
    std::string message; ///< not nullable in the spec: "" when the post has no text
    party from;
    utc_time inserted_at;
    std::map<std::string, std::int64_t> reactions; ///< "like_count" -> n, …
    std::int64_t phone_number_count = 0;
};

/// One call of a SIP package (GET sip_call_logs?id=package).
struct sip_call_log {
    std::string package_id, call_id, caller, callee, status;
    utc_time start_time;
    std::int64_t duration = 0; ///< seconds
};

/// An ad a conversation came from (the conversation's `ads[]`; export_data conversations_from_ads).
struct conversation_ad {
    std::string ad_id;
    std::optional<std::string> post_id;
    std::optional<utc_time> inserted_at;
};

struct page_state {
    pancake::page info;
    std::string token;
    std::vector<tag> tags;
    std::vector<user> users;
    std::vector<disabled_user> disabled_users;
    pancake::round_robin_users round_robin;
    std::size_t rr_cursor_inbox = 0, rr_cursor_comment = 0;
    conversation_store conversations;               ///< packed; materialised on use (conversation_store.hpp)
    listing_index listing;                          ///< the v2 listing's order over `conversations` (kept by touch())
    std::deque<steady_time> window;                 ///< accepted request times (rate limit)
    std::map<std::string, std::string> uploads;     ///< upload_contents: content id -> attachment_type
    std::map<std::string, page_customer> customers; ///< by page-customer id
    std::map<std::string, page_post> posts;         ///< by post id
    std::vector<sip_call_log> call_logs;
    std::map<std::string, std::vector<conversation_ad>> conversation_ads; ///< per conversation id
    // Statistics and the chat plugin (statistics.cpp, chat_plugin.cpp):
    int utc_offset_minutes = default_utc_offset_minutes; ///< the page's time zone (statistics' days)
    std::string chat_plugin_id;                          ///< "web_…": the page's web chat plugin, if any
    std::vector<page_ad> ads;
    activity_history activity_log; ///< oldest first; its strings are the conversation store's

    /// The activity log's records (read through the page's strings).
    activity_history::records activity_records() const { return activity_log.read(conversations.strings()); }
    /// Adds to the activity log in time order (record()), or for a load (then sort it once).
    void add_activity(const activity& a) { activity_log.add(a, conversations.strings()); }
    void load_activity(const activity& a) { activity_log.push_back(a, conversations.strings()); }
    /// GET tags' last answer and the tags it was made from: reused while they compare equal (a
    /// comparison, not an invalidation, so no writer of `tags` has to know about it).
    struct {
        std::vector<tag> tags;
        std::optional<response> answer;
    } tags_answer;
};

struct user_token {
    std::string token;
    std::vector<std::string> pages;
    std::optional<std::int64_t> expires_at; ///< unix seconds
};

/// A customer message arriving on the page (admin API: "inject").
struct customer_message {
    std::string psid;
    std::string name;
    std::string text;
    std::string type = "INBOX"; ///< INBOX | COMMENT
    std::optional<std::string> conversation_id;
    std::optional<std::string> post_id;
};

class world {
public:
    explicit world(std::uint64_t seed = 1, behaviour b = {}, rate_limit_config rl = {});

    /// Replaces all state with a fixture; on error the state is unchanged and `err` says why.
    bool load_fixture(const json::value& fixture, std::string& err);
    void reset();

    /// The model's data (pages, tokens as rotated, tags, users, conversations, messages, the
    /// round-robin cursors, id counters) and the fixture reset() returns to. Not the behaviour or
    /// rate-limit settings. restore() of it answers as this world would; on error nothing changes.
    json::value snapshot() const;
    bool restore(const json::value& snapshot, std::string& err);

    /// How handle() treats the page's rate limit: check and count it (the default), skip it (the
    /// request was admitted on arrival), or only admit (check and count, answer nothing else).
    enum class rate_step { check, skip, admit_only };
    handle_result handle(const request& req, steady_time now, wall_time wall, rate_step rate = rate_step::check);
    /// The rate check at arrival, for a request answered later (a latency fault holds it): the
    /// limit counts arrivals, as a front door does. The 429 to send, or nothing (then counted).
    std::optional<response> admit(const request& req, steady_time now);
    /// {route, page id} of a request, without touching state ("assign", "tags.update", …).
    static std::pair<std::string, std::string> route_name(const request& req);
    /// A call the fault injector answered instead of the model still counts toward the page's
    /// rate limit (as a real call the server received would).
    void count_call(const std::string& page, steady_time now);

    // Admin operations (also reachable over /__sim/ through the server shell).
    handle_result inject(const std::string& page, const customer_message& m, wall_time wall);
    bool set_user_status(const std::string& page, const std::string& user, std::optional<std::string> status,
                         std::optional<bool> online);
    const page_state* find_page(const std::string& id) const;
    const conversation* find_conversation(const std::string& page, const std::string& conv) const;
    std::vector<std::string> page_ids() const;
    /// Changes whenever a page token may have changed (a load, a restore, a rotation); unique
    /// across worlds, so a watcher compares it instead of reading every page's token per request.
    std::uint64_t token_generation() const noexcept { return token_generation_; }

    behaviour& behaviour_config() noexcept { return behaviour_; }
    /// How many conversations per page stay materialised between calls (conversation_store.hpp);
    /// 0 packs every one after each call (tests of the packed form use it).
    void conversation_cache_limit(std::size_t n) noexcept { conversation_cache_limit_ = n; }
    rate_limit_config& rate_limits() noexcept { return rate_; }
    std::uint64_t seed() const noexcept { return seed_; }

private:
    struct ctx;
    /// load_fixture() without keeping the fixture (reset and restore have it already).
    bool load_model(const json::value& fixture, std::string& err);
    handle_result route(ctx& c);
    response rate_check(page_state& p, steady_time now);
    handle_result tags_get(ctx&);
    handle_result users_get(ctx&);
    handle_result round_robin_post(ctx&);
    handle_result tag_post(ctx&, conversation&);
    handle_result assign_post(ctx&, conversation&);
    handle_result read_post(ctx&, conversation&, bool seen);
    handle_result messages_get(ctx&, const conversation&);
    handle_result messages_post(ctx&, conversation&);
    handle_result conversations_get(ctx&);
    handle_result pages_get(ctx&);
    handle_result generate_token(ctx&, const std::string& page);
    handle_result upload_post(ctx&);
    // Customers and notes (customers.cpp); posts, call logs, the ads export (content.cpp).
    handle_result customers_get(ctx&);
    handle_result customer_put(ctx&, const std::string& id);
    handle_result notes_call(ctx&, const std::string& customer);
    handle_result posts_get(ctx&);
    handle_result call_logs_get(ctx&);
    handle_result export_get(ctx&);
    /// The page customer with this psid, or a new one with id `fresh` (customers writing in).
    const std::string& customer_for(page_state& p, const std::string& psid, const std::string& name,
                                    const std::string& fresh, wall_time wall);
    /// The fixture's "customers" (and those its conversations imply), "posts", "sip_call_logs" and
    /// conversations' "ads" of one page; false and `err` on a bad entry. The writers give them back.
    static bool read_customers(page_state& p, const json::object& page, std::string& err);
    static bool read_content(page_state& p, const json::object& page, std::string& err);
    static void write_customers(const page_state& p, json::object& page);
    static void write_content(const page_state& p, json::object& page);
    // Statistics and the chat plugin (statistics.cpp, chat_plugin.cpp, activity records):
    handle_result statistics_get(ctx&);
    handle_result chat_plugin_get(ctx&);
    handle_result chat_plugin_post(ctx&);
    /// A customer message stored and announced (inject and the chat plugin): the conversation is
    /// created if needed (round-robin applies), `out` gets the webhook events.
    message receive_customer_message(page_state& p, const customer_message& m, std::vector<attachment> attachments,
                                     bool chat_plugin, wall_time wall, handle_result& out);
    static void record(page_state& p, activity a, wall_time wall);
    const user_token* user_token_check(ctx&);
    response invented(unsigned status, std::string_view message) const;
    /// The request body decoded as T; when it is not JSON or not a T, nullopt and the 400 answer
    /// ("Invalid JSON body", "Invalid field …") is already in c.out.
    template <class T>
    std::optional<T> body_as(ctx& c) const;
    json::value conversation_json(const conversation& c) const;
    json::value post_json(const page_state& p, const std::optional<std::string>& post_id) const;
    json::value messaging_event(const page_state& p, const conversation& c, const message& m) const;

    void touch(page_state& p, conversation& c, wall_time wall, std::vector<emitted_event>& events);
    void auto_assign(page_state& p, conversation& c, wall_time wall);
    json::value webhook_conversation_json(const page_state& p, const conversation& c) const;
    std::string new_uuid();
    /// After each call the world answers: the pages' conversation stores settle (conversation_store.hpp).
    void settle();
    struct settle_on_exit {
        world& w;
        ~settle_on_exit() { w.settle(); }
    };
    void tokens_changed() noexcept {
        static std::atomic<std::uint64_t> next{0};
        token_generation_ = ++next;
    }
    std::string new_message_id();

    std::uint64_t seed_;
    std::mt19937_64 rng_;
    behaviour behaviour_;
    rate_limit_config rate_;
    packed_json fixture_; ///< what reset() returns to (compressed text, not a DOM)
    // Transparent: a request's page id and token are looked up as slices of its target.
    std::map<std::string, page_state, std::less<>> pages_;
    std::map<std::string, std::string, std::less<>> token_to_page_;
    std::vector<user_token> user_tokens_;
    std::uint64_t message_counter_ = 0;
    std::size_t conversation_cache_limit_ = conversation_store::default_cache_limit;
    std::uint64_t token_generation_ = 0;
};

} // namespace pancake::sim
