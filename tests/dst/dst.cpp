#include "dst.hpp"

#include "support/flaky_intake.hpp"

#include <pancake/detail/fnv1a.hpp>
#include <pancake/http/connection.hpp>
#include <pancake/pancake.hpp>
#include <pancake/testing/memory_stream.hpp>
#include <pancake/webhook.hpp>
#include <pancake/workflow/detail/turn_queue.hpp>
#include <pancake/workflow/keyword_rules.hpp>
#include <pancake/workflow/pipeline.hpp>
#include <sim/server.hpp>
#include <sim/virtual_time.hpp>

#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <deque>
#include <optional>
#include <random>
#include <set>
#include <sstream>

namespace dst {

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
namespace wh = pancake::webhook;
using namespace std::chrono_literals;
using pancake::errc;
using pancake::error_code;

// The fixture's two pages (simulator/fixtures/shop.json) and their tokens.
struct page_info {
    std::string id, token;
};
const page_info pages[] = {{"100000000000001", "pat_hoamai_7f3c2a91e4b84d0c"},
                           {"100000000000002", "pat_senvang_5d1e8b7a3c6f4e21"}};
// Every secret the fixture knows: none may appear in any log line, error text or diagnostics.
const char* const secrets[] = {"pat_hoamai_7f3c2a91e4b84d0c", "pat_senvang_5d1e8b7a3c6f4e21", "uat_"};

const char* const fault_kinds[] = {"latency",        "server_error",     "transient_error",      "html",
                                   "malformed_json", "truncated_json",   "reset_before_headers", "reset_after_headers",
                                   "hang",           "commit_then_drop", "rate_limited"};

// What customers write: keywords with and without diacritics, decomposed, upper case, and text
// that must not fire ("muachung" is not "mua"; "gia đình" is family, not price).
const char* const customer_texts[] = {"Cho mình đặt hàng 2 cái nhé",
                                      "dat hang size M",
                                      "Đ\u0103\u0323t ha\u0300ng giúp em",
                                      "MUA 3 CÁI",
                                      "muachung được không",
                                      "Giá bao nhiêu vậy shop?",
                                      "gia đình mình cần tư vấn",
                                      "Hàng bị lỗi, tôi muốn khiếu nại",
                                      "ship nhanh không",
                                      "cảm ơn shop",
                                      "price?",
                                      "order 1 áo"};

// The pipeline's configuration (workflow::pipeline_config), as an operator would write it.
const char* const pipeline_config = R"({"rules":[
  {"tag":"Đặt hàng","keywords":["đặt hàng","mua","order"]},
  {"tag":"Hỏi giá","keywords":["giá","price"],"accent_sensitive":true},
  {"tag":"Khiếu nại","keywords":["khiếu nại","lỗi"]}],
  "assign_unassigned": true,
  "staff": {"100000000000001": ["c4bafd84-7b96-4f28-b59a-031f17c32ddf", "fb5ff8ed-434b-4d4b-a213-b595b242b81a",
                                "79d4e769-ac31-4821-8304-d6e251d532e9"],
            "100000000000002": ["0e7c9b1a-5d3f-4a2e-9c8b-1f6d4e3a2b10"]}})";

struct context : asio::io_context {
    using asio::io_context::shutdown;
};

// The fault mix one seed chose.
struct swarm {
    std::vector<std::pair<std::string, double>> faults; // kind, probability per request
    double latency_max_ms = 0;
    double webhook_duplicates = 0, webhook_reorder = 0, webhook_edits = 0;
    std::chrono::milliseconds webhook_latency{0};
    unsigned intake_fail_every = 0, intake_slow_every = 0;
    std::size_t intake_capacity = 10'000;
    double handler_failures = 0;
    double customer_rate = 0.5; // messages per simulated second
    double staff_changes = 0;   // presence changes per simulated second
    int workers = 4;

    std::string describe() const {
        std::ostringstream s;
        s << "faults{";
        for (auto& [k, p] : faults)
            s << k << ":" << p << " ";
        s << "} latency_max_ms:" << latency_max_ms << " webhooks{dup:" << webhook_duplicates
          << " reorder:" << webhook_reorder << " edits:" << webhook_edits << " latency_ms:" << webhook_latency.count()
          << "} intake{fail_every:" << intake_fail_every << " slow_every:" << intake_slow_every
          << " capacity:" << intake_capacity << "} handler_failures:" << handler_failures
          << " customers/s:" << customer_rate << " staff_changes/s:" << staff_changes << " workers:" << workers;
        return s.str();
    }
};

swarm choose(std::mt19937_64& rng) {
    auto u = [&] { return std::uniform_real_distribution<double>(0, 1)(rng); };
    swarm s;
    // Some seeds are storms: faults ten times as often, so retries run out and the client has to
    // report what it does not know.
    const double scale = u() < 0.15 ? 10 : 1;
    for (const char* k : fault_kinds)
        if (u() < 0.5) s.faults.emplace_back(k, scale * (0.003 + 0.03 * u()));
    s.latency_max_ms = 50 + 1450 * u(); // below the client's 5 s attempt timeout: no late commits
    if (u() < 0.6) s.webhook_duplicates = 0.05 + 0.3 * u();
    if (u() < 0.5) s.webhook_reorder = 0.05 + 0.2 * u();
    if (u() < 0.3) s.webhook_edits = 0.05 + 0.1 * u();
    if (u() < 0.5) s.webhook_latency = std::chrono::milliseconds(static_cast<int>(3000 * u()));
    if (u() < 0.4) s.intake_fail_every = 3 + static_cast<unsigned>(10 * u());
    if (u() < 0.3) s.intake_slow_every = 4 + static_cast<unsigned>(10 * u());
    if (u() < 0.2) s.intake_capacity = 2 + static_cast<std::size_t>(6 * u());
    if (u() < 0.4) s.handler_failures = 0.05 + 0.2 * u();
    s.customer_rate = 0.1 + 0.9 * u();
    if (u() < 0.5) s.staff_changes = 0.02 + 0.1 * u();
    s.workers = 1 + static_cast<int>(7 * u());
    return s;
}

// What the workload meant a conversation's tags and assignees to be.
struct intent {
    bool known = false; // false: read the oracle at the next operation (first touch, or after an uncertain one)
    std::set<std::int64_t> tags;
    std::set<std::string> assignees;
    std::string last; // the last operation applied, for the report
};

// A message send and what the client said about it.
struct send_record {
    std::string page, conv, marker;
    std::string outcome; // "ok", "unknown", "failed"
};

// Errors after which the operation may or may not have applied: the client's way of saying "I do
// not know". Anything else is a definite answer: not applied.
bool uncertain(error_code ec) {
    return ec == errc::outcome_unknown || ec == errc::timeout || ec == errc::connection_lost ||
           ec == errc::unexpected_response || ec == errc::missing_field || ec == errc::wrong_field_type ||
           ec == errc::body_too_large || ec == asio::error::operation_aborted;
}

// A dedupe store that remembers nothing: the harness's self-test (options::sabotage_dedupe).
struct forgetful_store final : wh::dedupe_store {
    bool seen(std::string_view) override { return false; }
    void remember(std::string_view) override {}
};

class run_state {
public:
    explicit run_state(const options& o)
        : opt_(o), rng_(o.seed), mix_(choose(rng_)), store_(ioc_.get_executor(), mix_.intake_capacity),
          front_(ioc_.get_executor(), vclock_, store_), receiver_(ioc_.get_executor(), front_), dedupe_(vclock_),
          turns_(std::make_shared<pancake::workflow::detail::turn_queue>(ioc_.get_executor())) {
        res_.seed = o.seed;
        res_.swarm = mix_.describe();
        pancake::sim::server_options so;
        so.seed = o.seed;
        so.webhooks.seed = o.seed ^ 0x9e3779b97f4a7c15ull;
        so.webhooks.duplicate_rate = mix_.webhook_duplicates;
        so.webhooks.reorder_rate = mix_.webhook_reorder;
        so.webhooks.edit_resend_rate = mix_.webhook_edits;
        so.webhooks.max_extra_latency = mix_.webhook_latency;
        so.webhooks.max_attempts = 8; // generous: a give-up is counted, not a failure
        server_.emplace(ioc_.get_executor(), vclock_, so);
        front_.fail_every = mix_.intake_fail_every;
        front_.slow_every = mix_.intake_slow_every;

        std::string err;
        json::array rules;
        for (auto& [k, p] : mix_.faults) {
            json::object r{{"kind", k}, {"probability", p}};
            if (k == "latency")
                r["latency"] = json::object{{"dist", "uniform"}, {"min_ms", 0}, {"max_ms", mix_.latency_max_ms}};
            rules.push_back(std::move(r));
        }
        if (!server_->faults().set_plan(json::object{{"rules", std::move(rules)}}, err))
            throw std::runtime_error("fault plan: " + err);

        // Webhook deliveries over in-memory streams into our receiver.
        auto& d = server_->webhooks();
        d.connect_in_memory([this] {
            auto [near, far] = pancake::testing::make_memory_pipe(ioc_.get_executor());
            receiver_.serve(std::move(far));
            return std::move(near);
        });
        for (auto& p : pages)
            if (!d.set_url(p.id, "http://receiver.invalid/webhook", err)) throw std::runtime_error(err);

        pancake::client_config cfg;
        cfg.base_url = "http://sim.invalid";
        cfg.clock = &vclock_;
        cfg.jitter_seed = o.seed;
        cfg.request_timeout = 5s;
        cfg.retry.on_retry = [this](const pancake::retry_event& e) {
            ++res_.coverage["client.retries"];
            note_text(e.error.message());
        };
        cfg.transport = [this](asio::any_io_executor) -> std::unique_ptr<pancake::http::connection> {
            return std::make_unique<pancake::http::stream_connection<pancake::testing::memory_stream>>(
                server_->connect_in_memory());
        };
        api_.emplace(ioc_.get_executor(), cfg);
        for (auto& p : pages)
            api_->add_page(pancake::page_id(p.id), p.token);

        auto parsed = pancake::workflow::pipeline_config::parse(pipeline_config);
        if (!parsed) throw std::runtime_error("pipeline config: " + parsed.error().message);
        pipeline_.emplace(*api_, std::move(*parsed), cursors_,
                          [this](const pancake::workflow::pipeline_action& a) { on_action(a); });
        pipeline_->share_turns(turns_); // the workload's writes and the pipeline's take turns

        wh::processor_options po;
        po.clk = &vclock_;
        po.workers = 4;
        po.max_attempts = 6;
        po.retry_backoff = 500ms;
        po.dedupe = o.sabotage_dedupe ? static_cast<wh::dedupe_store*>(&forgetful_) : &dedupe_;
        proc_.emplace(
            ioc_.get_executor(), front_,
            wh::awaitable_handler(ioc_.get_executor(), [this](const wh::received_event& e) { return on_event(e); }),
            po);
    }

    run_state(const run_state&) = delete;
    run_state& operator=(const run_state&) = delete;

    // As the test harness: the context's shutdown destroys queued handlers while the clock
    // still exists.
    ~run_state() {
        api_.reset();
        server_->webhooks().stop();
        server_->stop();
        receiver_.stop();
        ioc_.shutdown();
    }

    result run() {
        proc_->start();
        end_ = vclock_.now() +
               std::chrono::duration_cast<pancake::clock::duration>(std::chrono::duration<double>(opt_.sim_seconds));
        asio::co_spawn(ioc_, main_flow(), [this](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& x) {
                    violation(std::string("the workload threw: ") + x.what());
                }
            }
            flow_done_ = true;
        });
        const auto start = vclock_.now();
        auto r = pancake::sim::run_virtual(
            ioc_, vclock_, [this] { return flow_done_ && quiet(); }, 200'000'000);
        if (r.status != pancake::sim::run_status::done)
            violation(std::string("the run did not settle: ") +
                      (r.status == pancake::sim::run_status::deadlock ? "deadlock" : "step limit") + " after " +
                      std::to_string(r.handlers) + " handlers; " + std::to_string(server_->webhooks().outstanding()) +
                      " events outstanding, " + std::to_string(front_.pending()) + " in the intake, " +
                      std::to_string(proc_->in_progress()) + " in the processor");
        res_.sim_seconds = std::chrono::duration<double>(vclock_.now() - start).count();
        check();
        return std::move(res_);
    }

private:
    // ----- the workload -------------------------------------------------------------------
    asio::awaitable<void> main_flow() {
        // Tag ids by name, through the client (as an integration would build its directory).
        for (auto& p : pages) {
            auto [ec, tags] = co_await api_->async_list_tags(pancake::page_id(p.id), asio::as_tuple(asio::deferred));
            if (ec) {
                // Faults may hit this too: the directory is then taken from the oracle.
                note(ec, "list_tags");
                for (auto& t : server_->model().find_page(p.id)->tags)
                    tag_ids_[p.id][t.text] = t.id.value();
                continue;
            }
            for (auto& t : tags)
                tag_ids_[p.id][t.text] = t.id.value();
        }
        int running = 0;
        auto ex = co_await asio::this_coro::executor;
        auto spawn = [&](asio::awaitable<void> a) {
            ++running;
            asio::co_spawn(ex, std::move(a), [&running, this](std::exception_ptr e) {
                if (e) {
                    try {
                        std::rethrow_exception(e);
                    } catch (const std::exception& x) {
                        violation(std::string("a workload actor threw: ") + x.what());
                    }
                }
                --running;
            });
        };
        for (int i = 0; i < mix_.workers; ++i)
            spawn(worker(i));
        spawn(customers());
        if (mix_.staff_changes > 0) spawn(staff());
        while (running > 0)
            co_await sleep(1s);
    }

    asio::awaitable<void> sleep(pancake::clock::duration d) {
        co_await vclock_.async_wait_for(ioc_.get_executor(), d, asio::use_awaitable);
    }
    pancake::clock::duration exp_wait(double mean_s) {
        std::exponential_distribution<double> e(1.0 / mean_s);
        return std::chrono::duration_cast<pancake::clock::duration>(std::chrono::duration<double>(e(rng_)));
    }
    double uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
    template <class C>
    const auto& pick(const C& c) {
        return c[std::uniform_int_distribution<std::size_t>(0, std::size(c) - 1)(rng_)];
    }

    // The page's conversations (the oracle's), listed again only when new ones appeared: copying
    // every id for every operation made an hour's run quadratic.
    const std::vector<std::string>& conversations(const std::string& page, bool inbox_only) {
        const auto& all = server_->model().find_page(page)->conversations;
        auto& cache = conversation_cache_[page + (inbox_only ? "/inbox" : "")];
        if (cache.first != all.size()) {
            cache.second.clear();
            all.for_each_summary([&](std::string_view id, const pancake::sim::conversation_store::summary& s) {
                if (!inbox_only || all.text(s.type) == "INBOX") cache.second.emplace_back(id);
            });
            cache.first = all.size();
        }
        return cache.second;
    }

    asio::awaitable<void> worker(int id) {
        const std::string who = "w" + std::to_string(id);
        while (vclock_.now() < end_) {
            co_await sleep(exp_wait(0.4 * mix_.workers));
            const auto& page = uniform() < 0.7 ? pages[0] : pages[1];
            const double op = uniform();
            if (op < 0.1) {
                const auto& inbox = conversations(page.id, true);
                if (inbox.empty()) continue;
                const std::string conv = pick(inbox);
                co_await send(page.id, conv, who);
                continue;
            }
            const std::string conv = pick(conversations(page.id, false));
            if (op < 0.4) {
                auto& names = tag_ids_[page.id];
                std::vector<std::int64_t> ids;
                for (auto& [n, t] : names)
                    ids.push_back(t);
                co_await tag(page.id, conv, pick(ids), uniform() < 0.6, who);
            } else if (op < 0.6) {
                std::vector<std::string> staff;
                for (auto& u : server_->model().find_page(page.id)->users)
                    if (uniform() < 0.5) staff.push_back(u.id.value());
                co_await assign(page.id, conv, std::move(staff), who);
            } else if (op < 0.8) {
                co_await read(page.id, conv, uniform() < 0.5, who);
            } else {
                auto [ec, tags] =
                    co_await api_->async_list_tags(pancake::page_id(page.id), asio::as_tuple(asio::deferred));
                note(ec, who + " list_tags");
                ++res_.operations;
            }
        }
    }

    asio::awaitable<void> customers() {
        int n = 0;
        while (vclock_.now() < end_) {
            co_await sleep(exp_wait(1.0 / mix_.customer_rate));
            const auto& page = uniform() < 0.7 ? pages[0] : pages[1];
            // Mostly regulars (the fixture's and earlier newcomers'), sometimes a new customer.
            const std::string psid =
                uniform() < 0.2 ? "9" + std::to_string(100000 + n) : "20000000000000" + std::to_string(1 + n % 9);
            ++n;
            json::object body;
            body["psid"] = psid;
            body["name"] = "Khách " + psid;
            body["text"] = pick(customer_texts);
            std::string target = "/__sim/pages/" + page.id + "/messages", text = json::serialize(body);
            auto status = co_await admin(std::move(target), std::move(text));
            trace("customer " + psid + " -> " + page.id + ": " + std::to_string(status));
        }
    }

    asio::awaitable<void> staff() {
        while (vclock_.now() < end_) {
            co_await sleep(exp_wait(1.0 / mix_.staff_changes));
            const auto& users = server_->model().find_page(pages[0].id)->users;
            const auto& u = pick(users);
            const bool online = uniform() < 0.5;
            json::object body{{"is_online", online}};
            std::string target = "/__sim/pages/" + pages[0].id + "/users/" + u.id.value(), text = json::serialize(body);
            auto status = co_await admin(std::move(target), std::move(text));
            trace("staff " + u.id.value() + (online ? " online" : " offline") + ": " + std::to_string(status));
        }
    }

    // An admin request over its own in-memory connection (the simulator answers it unjournaled).
    asio::awaitable<unsigned> admin(std::string target, std::string body) {
        auto s = server_->connect_in_memory();
        http::request<http::string_body> rq{http::verb::post, target, 11};
        rq.set(http::field::host, "sim.invalid");
        rq.set(http::field::content_type, "application/json");
        rq.body() = std::move(body);
        rq.prepare_payload();
        auto [wec, wn] = co_await http::async_write(s, rq, asio::as_tuple(asio::deferred));
        if (wec) co_return 0;
        boost::beast::flat_buffer buf;
        http::response<http::string_body> rs;
        auto [rec, rn] = co_await http::async_read(s, buf, rs, asio::as_tuple(asio::deferred));
        co_return rec ? 0u : rs.result_int();
    }

    // ----- operations, one conversation at a time ---------------------------------------------

    intent& intent_of(const std::string& page, const std::string& conv) {
        auto& in = intents_[page + "/" + conv];
        if (!in.known) { // first touch, or after an uncertain outcome: the oracle says where we are
            const auto* c = server_->model().find_conversation(page, conv);
            in.tags.clear();
            in.assignees.clear();
            for (auto& t : c->tags)
                if (t && t->id) in.tags.insert(t->id->value());
            for (auto& a : c->assignee_ids)
                in.assignees.insert(a.value());
            in.known = true;
        }
        return in;
    }

    // After the call: applied (ok), not applied (a definite error), or unknown.
    void settle(intent& in, error_code ec, const pancake::diagnostics& diag, const std::string& what) {
        ++res_.operations;
        note(ec, what);
        note_text(diag.to_string());
        if (ec && uncertain(ec)) {
            in.known = false;
            ++res_.coverage[ec == errc::outcome_unknown ? "client.outcome_unknown" : "client.uncertain"];
        }
    }

    asio::awaitable<void> tag(std::string page, std::string conv, std::int64_t t, bool add, std::string who) {
        const auto key = page + "/" + conv;
        co_await turns_->async_take_turn(key, asio::deferred);
        pancake::workflow::detail::turn h{turns_, key}; // passed on at every exit
        auto& in = intent_of(page, conv);
        pancake::diagnostics diag;
        pancake::call_options o(diag);
        const pancake::page_id p(page);
        const pancake::conversation_id c(conv);
        error_code ec;
        if (add) {
            auto [e, r] = co_await api_->async_add_tag(p, c, pancake::tag_id(t), o, asio::as_tuple(asio::deferred));
            ec = e;
        } else {
            auto [e, r] = co_await api_->async_remove_tag(p, c, pancake::tag_id(t), o, asio::as_tuple(asio::deferred));
            ec = e;
        }
        const auto what = who + (add ? " add_tag " : " remove_tag ") + std::to_string(t) + " " + conv;
        if (!ec) {
            if (add)
                in.tags.insert(t);
            else
                in.tags.erase(t);
            in.last = what;
        }
        settle(in, ec, diag, what);
    }

    asio::awaitable<void> assign(std::string page, std::string conv, std::vector<std::string> staff, std::string who) {
        const auto key = page + "/" + conv;
        co_await turns_->async_take_turn(key, asio::deferred);
        pancake::workflow::detail::turn h{turns_, key}; // passed on at every exit
        auto& in = intent_of(page, conv);
        pancake::diagnostics diag;
        pancake::call_options o(diag);
        std::vector<pancake::user_id> ids;
        for (auto& s : staff)
            ids.emplace_back(s);
        const pancake::page_id p(page);
        const pancake::conversation_id c(conv);
        auto [ec, r] = co_await api_->async_assign(p, c, std::move(ids), o, asio::as_tuple(asio::deferred));
        const auto what = who + " assign " + std::to_string(staff.size()) + " " + conv;
        if (!ec) {
            in.assignees = std::set<std::string>(staff.begin(), staff.end());
            in.last = what;
        }
        settle(in, ec, diag, what);
    }

    asio::awaitable<void> read(std::string page, std::string conv, bool seen, std::string who) {
        const auto key = page + "/" + conv;
        co_await turns_->async_take_turn(key, asio::deferred);
        pancake::workflow::detail::turn h{turns_, key}; // passed on at every exit
        auto& in = intent_of(page, conv);
        pancake::diagnostics diag;
        pancake::call_options o(diag);
        const pancake::page_id p(page);
        const pancake::conversation_id c(conv);
        error_code ec;
        if (seen) {
            auto [e, r] = co_await api_->async_mark_read(p, c, o, asio::as_tuple(asio::deferred));
            ec = e;
        } else {
            auto [e, r] = co_await api_->async_mark_unread(p, c, o, asio::as_tuple(asio::deferred));
            ec = e;
        }
        settle(in, ec, diag, who + (seen ? " read " : " unread ") + conv);
    }

    asio::awaitable<void> send(std::string page, std::string conv, std::string who) {
        const auto key = page + "/" + conv;
        co_await turns_->async_take_turn(key, asio::deferred);
        pancake::workflow::detail::turn h{turns_, key}; // passed on at every exit
        send_record rec{
            page, conv, "[dst-" + std::to_string(opt_.seed) + "-" + std::to_string(sends_.size()) + "]", {}};
        pancake::diagnostics diag;
        pancake::call_options o(diag);
        const pancake::page_id p(page);
        const pancake::conversation_id c(conv);
        const auto m = pancake::send_message_request::inbox_reply("Dạ shop đã nhận " + rec.marker);
        auto [ec, r] = co_await api_->async_send_message(p, c, m, o, asio::as_tuple(asio::deferred));
        rec.outcome = !ec ? "ok" : ec == errc::outcome_unknown ? "unknown" : uncertain(ec) ? "uncertain" : "failed";
        ++res_.operations;
        note(ec, who + " send " + rec.marker + " " + conv);
        note_text(diag.to_string());
        if (ec == errc::outcome_unknown) ++res_.coverage["client.outcome_unknown"];
        sends_.push_back(std::move(rec));
    }

    // ----- the pipeline the webhooks drive (workflow::pipeline, the seed's §8) ---------------
    asio::awaitable<void> on_event(const wh::received_event& e) {
        if (mix_.handler_failures > 0 && uniform() < mix_.handler_failures) {
            ++res_.coverage["handler.failures"];
            throw boost::system::system_error(make_error_code(errc::api_error), "injected handler failure");
        }
        if (applied_.contains(e.dedupe_key)) violation("webhook event applied twice: " + e.dedupe_key);
        // Conversation updates carry state: one older than (or as old as) what was applied is stale.
        // (A late messaging event still brings a message, and is applied.)
        const bool versioned = e.version && e.kind == wh::event_kind::conversation;
        if (versioned)
            if (auto it = versions_.find(e.serial_key); it != versions_.end() && *e.version <= it->second)
                violation("stale webhook applied: " + e.serial_key + " version " + std::to_string(*e.version) +
                          " after " + std::to_string(it->second));
        trace("event " + e.dedupe_key);
        co_await pipeline_->handle(e); // throws when an action failed: the processor retries
        ++res_.events;
        applied_.insert(e.dedupe_key);
        if (versioned) versions_[e.serial_key] = std::max(versions_[e.serial_key], *e.version);
    }

    // The pipeline acted (holding the conversation's turn): the intent follows.
    void on_action(const pancake::workflow::pipeline_action& a) {
        auto& in = intent_of(a.page.value(), a.conversation.value());
        const auto what = "pipeline " + a.what + " " + a.detail + " " + a.conversation.value();
        ++res_.operations;
        if (a.ec) {
            note(a.ec, what);
            if (uncertain(a.ec)) {
                in.known = false;
                ++res_.coverage[a.ec == errc::outcome_unknown ? "client.outcome_unknown" : "client.uncertain"];
            }
            return;
        }
        if (a.what == "tag") {
            ++res_.coverage["pipeline.tagged"];
            in.tags.insert(tag_ids_[a.page.value()].at(a.detail));
        } else if (a.what == "assign") {
            ++res_.coverage["pipeline.assigned"];
            in.assignees = {a.detail};
        }
        in.last = what;
    }

    // ----- bookkeeping --------------------------------------------------------------------
    bool quiet() {
        return server_->webhooks().outstanding() == 0 && front_.pending() == 0 && front_.holding == 0 &&
               proc_->in_progress() == 0 && turns_->busy() == 0;
    }
    void violation(std::string v) {
        trace("VIOLATION " + v);
        res_.violations.push_back(std::move(v));
    }
    void trace(std::string line) {
        const auto t = std::chrono::duration<double>(vclock_.now().time_since_epoch()).count();
        char stamp[32];
        std::snprintf(stamp, sizeof stamp, "[%9.3f] ", t);
        note_text(line);
        res_.trace.push_back(stamp + std::move(line));
        if (!opt_.trace && res_.trace.size() > 400) res_.trace.erase(res_.trace.begin(), res_.trace.begin() + 200);
    }
    void note(error_code ec, const std::string& what) {
        if (!ec) return;
        ++res_.coverage["client.errors"];
        trace(what + ": " + ec.message());
    }
    // Every text the run produces passes here: none may carry a secret.
    void note_text(const std::string& s) {
        for (const char* secret : secrets)
            if (s.find(secret) != std::string::npos) {
                res_.violations.push_back("a token appears in: " + s.substr(0, 200));
                return;
            }
    }

    // ----- the invariants, against the simulator's state -------------------------------------
    void check() {
        auto& model = server_->model();
        // 1. Tags and assignees are what the workload intended (uncertain ones were re-read).
        for (auto& [key, in] : intents_) {
            if (!in.known) continue;
            ++res_.coverage["intents.checked"];
            const auto slash = key.find('/');
            const auto* c = model.find_conversation(key.substr(0, slash), key.substr(slash + 1));
            std::set<std::int64_t> tags;
            std::set<std::string> assignees;
            for (auto& t : c->tags)
                if (t && t->id) tags.insert(t->id->value());
            for (auto& a : c->assignee_ids)
                assignees.insert(a.value());
            if (tags != in.tags) violation("tags of " + key + " differ from the intent (last: " + in.last + ")");
            if (assignees != in.assignees)
                violation("assignees of " + key + " differ from the intent (last: " + in.last + ")");
        }
        // 2. A send the client called done happened exactly once; one it called failed, never;
        //    only an unknown (or uncertain) one may have either outcome.
        for (auto& s : sends_) {
            std::size_t n = 0;
            auto* p = model.find_page(s.page);
            for (auto& m : p->conversations.messages(s.conv))
                n += (m.original_message && m.original_message->find(s.marker) != std::string::npos) ||
                     (!m.original_message && m.message && m.message->find(s.marker) != std::string::npos);
            if (n > 1) violation("send " + s.marker + " executed " + std::to_string(n) + " times");
            if (s.outcome == "ok" && n != 1) violation("send " + s.marker + " reported ok, found " + std::to_string(n));
            if (s.outcome == "failed" && n != 0) violation("send " + s.marker + " reported failed, yet executed");
        }
        // 3. The rate limit: no 429 the client caused (injected ones aside), and the simulator
        //    never accepted more than the limit in any sliding second of arrival times.
        std::map<std::string, std::vector<double>> arrivals;
        const int limit = model.rate_limits().per_second;
        for (auto& e : server_->journal()) {
            ++res_.requests;
            if (e.status == 429 && e.fault.empty())
                violation("HTTP 429 the client caused, at t=" + std::to_string(e.t));
            // What the simulator counts: every request to a page it answered or held, but for 429s
            // and connections reset before it read them.
            if (e.page.empty() || e.status == 429 || e.fault == "rate_limited" || e.fault == "reset_before_headers")
                continue;
            arrivals[e.page].push_back(e.arrived);
        }
        for (auto& [page, times] : arrivals) {
            // The journal is in answer order; a held (latency) request arrived before that.
            std::sort(times.begin(), times.end());
            std::size_t first = 0;
            for (std::size_t i = 0; i < times.size(); ++i) {
                while (times[first] <= times[i] - 1.0 + 1e-9)
                    ++first;
                if (static_cast<int>(i - first + 1) > limit)
                    violation("page " + page + " accepted " + std::to_string(i - first + 1) +
                              " requests within 1 s at t=" + std::to_string(times[i]));
            }
        }
        // 4. Every event delivered (acknowledged) reached the handler or was a recognised repeat.
        const auto& ps = proc_->stats();
        const auto totals = server_->webhooks().totals();
        //    (A dead letter is parked, not lost: the handler kept failing.)
        const auto accounted = ps.handled + ps.duplicates + ps.stale + ps.echoes + ps.dead_letters + ps.unparseable;
        if (accounted != receiver_.stats().accepted)
            violation("the receiver acknowledged " + std::to_string(receiver_.stats().accepted) +
                      " deliveries, the processor accounts for " + std::to_string(accounted));
        // 5. The journals (secrets redacted) carry no token either.
        res_.journal = json::serialize(server_->journal_json()) + "\n" +
                       json::serialize(server_->webhooks().journal_json(0, 1'000'000));
        note_text(res_.journal);

        auto& cov = res_.coverage;
        for (auto& r : server_->faults().rules())
            cov["fault." + std::string(pancake::sim::to_string(r.kind))] += r.fired;
        cov["webhook.delivered"] += totals.delivered;
        cov["webhook.duplicates_sent"] += totals.duplicates;
        cov["webhook.reordered"] += totals.reordered;
        cov["webhook.edit_resends"] += totals.edit_resends;
        cov["webhook.failed_attempts"] += totals.failures;
        cov["processor.duplicates_dropped"] += ps.duplicates;
        cov["processor.stale_dropped"] += ps.stale;
        cov["processor.echoes_dropped"] += ps.echoes;
        cov["processor.retries"] += ps.retries;
        cov["processor.dead_letters"] += ps.dead_letters;
        cov["receiver.503"] += receiver_.stats().busy;
        cov["sends"] += sends_.size();
    }

    options opt_;
    std::mt19937_64 rng_;
    swarm mix_;
    result res_;
    context ioc_;
    pancake::virtual_clock vclock_;
    std::optional<pancake::sim::server> server_;
    wh::memory_intake store_;
    test::flaky_intake front_;
    wh::receiver receiver_;
    wh::memory_dedupe_store dedupe_;
    forgetful_store forgetful_;
    std::optional<wh::processor> proc_;
    std::optional<pancake::client> api_;
    std::shared_ptr<pancake::workflow::detail::turn_queue> turns_;
    pancake::workflow::memory_cursor_store cursors_;
    std::optional<pancake::workflow::pipeline> pipeline_;
    std::map<std::string, std::map<std::string, std::int64_t>> tag_ids_;
    std::map<std::string, intent> intents_;
    std::map<std::string, std::pair<std::size_t, std::vector<std::string>>> conversation_cache_;
    std::vector<send_record> sends_;
    std::set<std::string> applied_;
    std::map<std::string, std::int64_t> versions_;
    pancake::clock::time_point end_;
    bool flow_done_ = false;
};

} // namespace

result run(const options& o) {
    run_state s(o);
    return s.run();
}

const std::vector<std::string>& required_coverage() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const char* k : fault_kinds)
            v.push_back(std::string("fault.") + k);
        for (const char* k :
             {"client.retries", "client.outcome_unknown", "processor.duplicates_dropped", "webhook.reordered",
              "webhook.edit_resends", "receiver.503", "processor.retries", "pipeline.tagged", "pipeline.assigned",
              "processor.echoes_dropped", "sends", "intents.checked"})
            v.emplace_back(k);
        return v;
    }();
    return names;
}

std::string digest(const std::string& journal) {
    static constexpr char hex[] = "0123456789abcdef";
    auto h = pancake::detail::fnv1a(journal);
    std::string out = "fnv1a:0000000000000000";
    for (int i = 21; i >= 6; --i, h >>= 4)
        out[static_cast<std::size_t>(i)] = hex[h & 0xf];
    return out;
}

} // namespace dst
