#include "webhooks.hpp"

#include <pancake/webhook/monitor.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <cmath>
#include <deque>
#include <random>

namespace pancake::sim {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using namespace asio::experimental::awaitable_operators;

namespace {

struct target {
    std::string text; // as given
    std::string host, port, path;
};

bool parse_target(const std::string& url, target& t, std::string& err) {
    auto u = boost::urls::parse_uri(url);
    if (!u) {
        err = "not a URL: " + u.error().message();
        return false;
    }
    // The simulator stays on the loopback network: plain HTTP only (put TLS in front if needed).
    if (u->scheme() != "http") {
        err = "only http:// webhook URLs are delivered to";
        return false;
    }
    if (u->host().empty()) {
        err = "the URL has no host";
        return false;
    }
    t.text = url;
    t.host = u->host();
    t.port = u->has_port() ? std::string(u->port()) : "80";
    t.path = u->encoded_path().empty() ? "/" : std::string(u->encoded_path());
    if (u->has_query()) t.path += "?" + std::string(u->encoded_query());
    return true;
}

std::int64_t ms(std::chrono::steady_clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

struct exchange_result {
    boost::system::error_code ec;
    unsigned status = 0;
    bool connected = false;
};

} // namespace

struct webhook_dispatcher::impl : std::enable_shared_from_this<impl> {
    struct page_state {
        std::optional<target> url;
        page_delivery_stats stats;
        std::unique_ptr<webhook::suspension_monitor> monitor;
    };

    asio::any_io_executor ex;
    pancake::clock& clk;
    webhook_options opts;
    std::mt19937_64 rng;
    pancake::clock::time_point started;
    std::optional<target> default_url;
    std::map<std::string, page_state> pages;
    std::deque<delivery_attempt> journal;
    std::uint64_t journal_seq = 0, event_seq = 0, journal_dropped = 0;
    std::size_t on_wire = 0, outstanding = 0;
    bool stopped = false;
    std::function<pancake::testing::memory_stream()> connect_in_memory;

    impl(asio::any_io_executor e, pancake::clock& c, webhook_options o)
        : ex(std::move(e)), clk(c), opts(o), rng(o.seed), started(c.now()) {}

    webhook::suspension_rule rule() const {
        return {opts.suspension_window, opts.suspension_rate, opts.suspension_min_failures};
    }
    page_state& page(const std::string& id) {
        auto& p = pages[id];
        if (!p.monitor) p.monitor = std::make_unique<webhook::suspension_monitor>(clk, rule());
        return p;
    }
    const target* url_of(page_state& p) const { return p.url ? &*p.url : (default_url ? &*default_url : nullptr); }
    double uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }
    bool chance(double p) { return p > 0 && uniform() < p; }

    void record(delivery_attempt a) {
        a.seq = ++journal_seq;
        journal.push_back(std::move(a));
        while (journal.size() > opts.max_journal) {
            journal.pop_front();
            ++journal_dropped;
        }
    }

    pancake::clock::duration backoff(unsigned attempt) {
        const double base =
            static_cast<double>(opts.first_backoff.count()) * std::pow(opts.backoff_factor, attempt - 1);
        const double j = opts.jitter > 0 ? (uniform() * 2 - 1) * opts.jitter : 0;
        return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(0.0, base * (1 + j))));
    }

    // One POST; the caller races it against the timeout, which cancels it.
    static asio::awaitable<exchange_result> exchange(std::shared_ptr<impl> self, target t, std::string body) {
        if (self->connect_in_memory) {
            auto stream = self->connect_in_memory();
            auto r = co_await post_on(stream, std::move(t), std::move(body));
            stream.close();
            co_return r;
        }
        exchange_result r;
        auto ex = co_await asio::this_coro::executor;
        asio::ip::tcp::resolver resolver(ex);
        auto [rec, eps] = co_await resolver.async_resolve(t.host, t.port, asio::as_tuple(asio::use_awaitable));
        if (rec) {
            r.ec = rec;
            co_return r;
        }
        asio::ip::tcp::socket sock(ex);
        auto [cec, ep] = co_await asio::async_connect(sock, eps, asio::as_tuple(asio::use_awaitable));
        if (cec) {
            r.ec = cec;
            co_return r;
        }
        r = co_await post_on(sock, std::move(t), std::move(body));
        boost::system::error_code ignored;
        sock.shutdown(asio::socket_base::shutdown_both, ignored);
        co_return r;
    }

    template <class Stream>
    static asio::awaitable<exchange_result> post_on(Stream& sock, target t, std::string body) {
        exchange_result r;
        r.connected = true;
        http::request<http::string_body> req{http::verb::post, t.path, 11};
        req.set(http::field::host, t.host + ":" + t.port);
        req.set(http::field::user_agent, "pancake-sim-webhooks");
        req.set(http::field::content_type, "application/json");
        req.keep_alive(false);
        req.body() = std::move(body);
        req.prepare_payload();
        auto [wec, wn] = co_await http::async_write(sock, req, asio::as_tuple(asio::use_awaitable));
        if (wec) {
            r.ec = wec;
            co_return r;
        }
        boost::beast::flat_buffer buf;
        http::response_parser<http::string_body> parser;
        parser.body_limit(1 << 20);
        auto [rdec, rn] = co_await http::async_read(sock, buf, parser, asio::as_tuple(asio::use_awaitable));
        if (rdec) {
            r.ec = rdec;
            co_return r;
        }
        r.status = parser.get().result_int();
        co_return r;
    }

    asio::awaitable<void> wait(pancake::clock::duration d) {
        if (d <= pancake::clock::duration::zero()) co_return;
        co_await clk.async_wait_for(ex, d, asio::as_tuple(asio::use_awaitable));
    }

    // Delivers one body to one page until acknowledged, given up, or the page is suspended.
    static asio::awaitable<void> send(std::shared_ptr<impl> self, std::string page_id, std::string body,
                                      std::string type, std::string kind, std::uint64_t event,
                                      pancake::clock::duration delay) {
        auto& s = *self;
        ++s.outstanding;
        co_await s.wait(delay);
        for (unsigned attempt = 1; attempt <= s.opts.max_attempts && !s.stopped; ++attempt) {
            auto& p = s.page(page_id);
            delivery_attempt a{0, event, page_id, type, kind, attempt, {}, 0, 0, ms(s.clk.now() - s.started)};
            if (p.stats.suspended) {
                // Suspended while this event waited: it is dropped, as Pancake drops it.
                a.outcome = "suspended";
                ++p.stats.dropped_suspended;
                s.record(std::move(a));
                break;
            }
            if (s.opts.max_extra_latency.count() > 0) {
                const auto extra = std::chrono::milliseconds(
                    static_cast<std::int64_t>(s.uniform() * static_cast<double>(s.opts.max_extra_latency.count())));
                co_await s.wait(extra);
                if (s.stopped) break;
            }
            const target* t = s.url_of(p);
            if (!t) break; // the URL was removed meanwhile
            const auto t0 = s.clk.now();
            ++s.on_wire;
            auto res =
                co_await (exchange(self, *t, body) || s.clk.async_wait_for(s.ex, s.opts.timeout, asio::use_awaitable));
            --s.on_wire;
            a.latency_ms = ms(s.clk.now() - t0);
            bool ok = false;
            if (res.index() == 1) {
                a.outcome = "timeout";
            } else {
                const auto& r = std::get<0>(res);
                a.status = r.status;
                if (r.ec)
                    a.outcome = r.connected ? "io_error" : "connect_error";
                else if (r.status >= 200 && r.status < 300)
                    ok = true, a.outcome = "ok";
                else
                    a.outcome = "http_" + std::to_string(r.status);
            }
            if (s.stopped) break;
            auto& ps = s.page(page_id); // the map may have grown while we waited
            ++ps.stats.attempts;
            ps.monitor->record(ok);
            s.record(std::move(a));
            if (ok) {
                ++ps.stats.delivered;
                // At-least-once: sometimes the same event comes again although it was acknowledged.
                if (kind == "first" && s.chance(s.opts.duplicate_rate)) {
                    ++ps.stats.duplicates;
                    asio::co_spawn(s.ex, send(self, page_id, body, type, "duplicate", event, {}), asio::detached);
                }
                break;
            }
            ++ps.stats.failures;
            if (!ps.stats.suspended && ps.monitor->would_suspend()) ps.stats.suspended = true;
            if (attempt == s.opts.max_attempts) {
                ++ps.stats.gave_up;
                break;
            }
            co_await s.wait(s.backoff(attempt));
        }
        --s.outstanding;
    }

    void start(const std::string& page_id, const json::value& body, std::uint64_t event) {
        auto& p = page(page_id);
        if (!url_of(p)) return; // webhooks off for this page
        ++p.stats.events;
        const auto* t = body.is_object() ? body.as_object().if_contains("event_type") : nullptr;
        const std::string type = t && t->is_string() ? std::string(t->as_string()) : "";
        if (p.stats.suspended) {
            ++p.stats.dropped_suspended;
            record({0, event, page_id, type, "first", 0, "suspended", 0, 0, ms(clk.now() - started)});
            return;
        }
        pancake::clock::duration delay{};
        if (chance(opts.reorder_rate)) {
            ++p.stats.reordered;
            delay = opts.reorder_delay; // later events overtake this one
        }
        auto self = shared_from_this();
        asio::co_spawn(ex, send(self, page_id, json::serialize(body), type, "first", event, delay), asio::detached);
        // An edited message comes again with the same message id and the new text.
        if (type == "messaging" && chance(opts.edit_resend_rate)) {
            json::value edited = body;
            if (auto* m = edited.at("data").as_object().if_contains("message"); m && m->is_object()) {
                auto& mo = m->as_object();
                const auto before = mo["message"];
                json::array history;
                history.push_back(json::object{{"message", before}});
                mo["edit_history"] = std::move(history);
                if (before.is_string()) mo["message"] = std::string(before.as_string()) + " (đã sửa)";
                ++p.stats.edit_resends;
                asio::co_spawn(ex,
                               send(self, page_id, json::serialize(edited), type, "edit_resend", event,
                                    delay + opts.reorder_delay / 2 + std::chrono::milliseconds(1)),
                               asio::detached);
            }
        }
    }
};

webhook_dispatcher::webhook_dispatcher(asio::any_io_executor ex, pancake::clock& clk, webhook_options o)
    : impl_(std::make_shared<impl>(std::move(ex), clk, o)) {}

webhook_dispatcher::~webhook_dispatcher() { stop(); }

bool webhook_dispatcher::set_url(const std::string& page, const std::string& url, std::string& err) {
    auto& p = impl_->page(page);
    if (url.empty()) {
        p.url.reset();
        return true;
    }
    target t;
    if (!parse_target(url, t, err)) return false;
    p.url = std::move(t);
    return true;
}

bool webhook_dispatcher::valid_url(const std::string& url, std::string& err) {
    target t;
    return url.empty() || parse_target(url, t, err);
}

std::string webhook_dispatcher::url(const std::string& page) const {
    auto it = impl_->pages.find(page);
    if (it != impl_->pages.end() && it->second.url) return it->second.url->text;
    return impl_->default_url ? impl_->default_url->text : std::string();
}

bool webhook_dispatcher::set_default_url(const std::string& url, std::string& err) {
    target t;
    if (url.empty()) {
        impl_->default_url.reset();
        return true;
    }
    if (!parse_target(url, t, err)) return false;
    impl_->default_url = std::move(t);
    return true;
}

void webhook_dispatcher::deliver(const emitted_event& ev) {
    auto& s = *impl_;
    if (s.stopped) return;
    const auto event = ++s.event_seq;
    if (!ev.page.value().empty()) {
        s.start(ev.page.value(), ev.body, event);
        return;
    }
    // A subscription event names no page: every page with webhooks on gets it.
    std::vector<std::string> ids;
    for (auto& [id, p] : s.pages)
        if (s.url_of(p)) ids.push_back(id);
    for (auto& id : ids)
        s.start(id, ev.body, event);
}

void webhook_dispatcher::reenable(const std::string& page) {
    auto& p = impl_->page(page);
    p.stats.suspended = false;
    // A fresh window: the failures that led to the suspension do not count again.
    p.monitor = std::make_unique<webhook::suspension_monitor>(impl_->clk, impl_->rule());
}

bool webhook_dispatcher::suspended(const std::string& page) const {
    auto it = impl_->pages.find(page);
    return it != impl_->pages.end() && it->second.stats.suspended;
}

page_delivery_stats webhook_dispatcher::stats(const std::string& page) const {
    auto it = impl_->pages.find(page);
    return it == impl_->pages.end() ? page_delivery_stats{} : it->second.stats;
}

page_delivery_stats webhook_dispatcher::totals() const {
    page_delivery_stats t;
    for (auto& [id, p] : impl_->pages) {
        const auto& s = p.stats;
        t.events += s.events;
        t.delivered += s.delivered;
        t.attempts += s.attempts;
        t.failures += s.failures;
        t.gave_up += s.gave_up;
        t.dropped_suspended += s.dropped_suspended;
        t.duplicates += s.duplicates;
        t.reordered += s.reordered;
        t.edit_resends += s.edit_resends;
        t.suspended = t.suspended || s.suspended;
    }
    return t;
}

std::size_t webhook_dispatcher::on_wire() const noexcept { return impl_->on_wire; }
std::size_t webhook_dispatcher::outstanding() const noexcept { return impl_->outstanding; }
const webhook_options& webhook_dispatcher::options() const noexcept { return impl_->opts; }

void webhook_dispatcher::set_options(const webhook_options& o) {
    const bool reseed = o.seed != impl_->opts.seed;
    impl_->opts = o;
    if (reseed) impl_->rng.seed(o.seed);
}

namespace {

json::object stats_json(const page_delivery_stats& s) {
    return {{"events", s.events},         {"delivered", s.delivered}, {"attempts", s.attempts},
            {"failures", s.failures},     {"gave_up", s.gave_up},     {"dropped_suspended", s.dropped_suspended},
            {"duplicates", s.duplicates}, {"reordered", s.reordered}, {"edit_resends", s.edit_resends},
            {"suspended", s.suspended}};
}

json::object options_json(const webhook_options& o) {
    return {{"max_attempts", o.max_attempts},
            {"first_backoff_ms", o.first_backoff.count()},
            {"backoff_factor", o.backoff_factor},
            {"jitter", o.jitter},
            {"timeout_ms", o.timeout.count()},
            {"duplicate_rate", o.duplicate_rate},
            {"reorder_rate", o.reorder_rate},
            {"reorder_delay_ms", o.reorder_delay.count()},
            {"edit_resend_rate", o.edit_resend_rate},
            {"max_extra_latency_ms", o.max_extra_latency.count()},
            {"suspension_window_min", o.suspension_window.count()},
            {"suspension_rate", o.suspension_rate},
            {"suspension_min_failures", o.suspension_min_failures},
            {"max_journal", o.max_journal},
            {"seed", o.seed}};
}

} // namespace

json::value webhook_dispatcher::journal_json(std::uint64_t after, std::size_t limit) const {
    json::array out;
    std::uint64_t last = after;
    bool more = false;
    for (auto& a : impl_->journal) {
        if (a.seq <= after) continue;
        if (out.size() >= limit) {
            more = true;
            break;
        }
        out.push_back(json::object{{"seq", a.seq},
                                   {"event", a.event},
                                   {"page_id", a.page},
                                   {"event_type", a.event_type},
                                   {"kind", a.kind},
                                   {"attempt", a.attempt},
                                   {"outcome", a.outcome},
                                   {"status", a.status},
                                   {"latency_ms", a.latency_ms},
                                   {"at_ms", a.at_ms}});
        last = a.seq;
    }
    return json::object{
        {"attempts", std::move(out)}, {"next_after", last}, {"more", more}, {"dropped", impl_->journal_dropped}};
}

json::value webhook_dispatcher::status_json() const {
    json::object pages;
    for (auto& [id, p] : impl_->pages) {
        auto o = stats_json(p.stats);
        o["url"] = url(id);
        o["failure_rate_30min"] = p.monitor ? p.monitor->failure_rate() : 0.0;
        pages[id] = std::move(o);
    }
    return json::object{{"options", options_json(impl_->opts)},
                        {"default_url", impl_->default_url ? impl_->default_url->text : ""},
                        {"pages", std::move(pages)},
                        {"totals", stats_json(totals())},
                        {"on_wire", impl_->on_wire},
                        {"outstanding", impl_->outstanding}};
}

std::string webhook_dispatcher::summary() const {
    const auto t = totals();
    std::size_t suspended = 0;
    for (auto& [id, p] : impl_->pages)
        suspended += p.stats.suspended ? 1 : 0;
    return "webhooks: " + std::to_string(t.events) + " events, " + std::to_string(t.delivered) + " delivered, " +
           std::to_string(t.attempts) + " attempts, " + std::to_string(t.failures) + " failed, " +
           std::to_string(t.gave_up) + " given up, " + std::to_string(t.dropped_suspended) +
           " dropped while suspended, " + std::to_string(t.duplicates) + " duplicates, " + std::to_string(suspended) +
           " pages suspended";
}

std::optional<std::pair<unsigned, json::value>> webhook_dispatcher::admin(std::string_view method,
                                                                          std::string_view path, std::string_view query,
                                                                          std::string_view body) {
    auto bad = [](std::string m) {
        return std::pair<unsigned, json::value>{400, json::object{{"success", false}, {"message", std::move(m)}}};
    };
    auto ok = [](json::value v) { return std::pair<unsigned, json::value>{200, std::move(v)}; };
    auto parse_body = [&](json::value& out) {
        boost::system::error_code ec;
        out = json::parse(body, ec);
        return !ec && out.is_object();
    };
    if ((path.empty() || path == "/") && method == "GET") return ok(status_json());
    if (path == "/journal" && method == "GET") {
        std::uint64_t after = 0;
        std::size_t limit = 1000;
        auto q = boost::urls::parse_relative_ref("?" + std::string(query));
        if (q) {
            for (auto p : q->params()) {
                try {
                    if (p.key == "after") after = std::stoull(std::string(p.value));
                    if (p.key == "limit") limit = std::min<std::size_t>(std::stoull(std::string(p.value)), 10000);
                } catch (const std::exception&) {
                    return bad("after and limit are non-negative integers");
                }
            }
        }
        return ok(journal_json(after, limit));
    }
    if (path == "/config" && method == "POST") {
        json::value v;
        if (!parse_body(v)) return bad("body must be a JSON object");
        auto o = impl_->opts;
        std::string err;
        if (!parse_webhook_options(v, o, err)) return bad(err);
        set_options(o);
        return ok(json::object{{"success", true}, {"options", options_json(o)}});
    }
    // /pages/{page} (POST {"url":…}) and /pages/{page}/enable (POST)
    if (path.starts_with("/pages/") && method == "POST") {
        auto rest = path.substr(7);
        const auto slash = rest.find('/');
        const std::string page(rest.substr(0, slash));
        if (page.empty()) return bad("no page id");
        if (slash == std::string_view::npos) {
            json::value v;
            if (!parse_body(v)) return bad("body must be a JSON object");
            auto* u = v.as_object().if_contains("url");
            if (!u || !u->is_string()) return bad("url: a string is required (empty switches delivery off)");
            std::string err;
            if (!set_url(page, std::string(u->as_string()), err)) return bad("url: " + err);
            return ok(json::object{{"success", true}, {"page_id", page}, {"url", url(page)}});
        }
        if (rest.substr(slash) == "/enable") {
            const bool was = suspended(page);
            reenable(page);
            return ok(json::object{{"success", true}, {"page_id", page}, {"was_suspended", was}});
        }
    }
    return std::nullopt;
}

void webhook_dispatcher::stop() { impl_->stopped = true; }

void webhook_dispatcher::connect_in_memory(std::function<pancake::testing::memory_stream()> connect) {
    impl_->connect_in_memory = std::move(connect);
}

bool parse_webhook_options(const json::value& v, webhook_options& o, std::string& err) {
    if (!v.is_object()) {
        err = "webhook options must be a JSON object";
        return false;
    }
    auto number = [&](const json::value& x, const char* name, double lo, double hi, double& out) {
        if (!x.is_number()) {
            err = std::string(name) + ": a number is required";
            return false;
        }
        const double d = x.to_number<double>();
        if (!(d >= lo && d <= hi)) {
            err = std::string(name) + ": must be between " + json::serialize(json::value(lo)) + " and " +
                  json::serialize(json::value(hi));
            return false;
        }
        out = d;
        return true;
    };
    auto integer = [&](const json::value& x, const char* name, double lo, double hi, std::int64_t& out) {
        double d = 0;
        if (!number(x, name, lo, hi, d)) return false;
        if (d != std::floor(d)) {
            err = std::string(name) + ": must be a whole number";
            return false;
        }
        out = static_cast<std::int64_t>(d);
        return true;
    };
    for (auto& [key, x] : v.as_object()) {
        double d = 0;
        std::int64_t i = 0;
        if (key == "max_attempts") {
            if (!integer(x, "max_attempts", 1, 100, i)) return false;
            o.max_attempts = static_cast<unsigned>(i);
        } else if (key == "first_backoff_ms") {
            if (!integer(x, "first_backoff_ms", 0, 86'400'000, i)) return false;
            o.first_backoff = std::chrono::milliseconds(i);
        } else if (key == "backoff_factor") {
            if (!number(x, "backoff_factor", 1, 100, d)) return false;
            o.backoff_factor = d;
        } else if (key == "jitter") {
            if (!number(x, "jitter", 0, 1, d)) return false;
            o.jitter = d;
        } else if (key == "timeout_ms") {
            if (!integer(x, "timeout_ms", 1, 600'000, i)) return false;
            o.timeout = std::chrono::milliseconds(i);
        } else if (key == "duplicate_rate" || key == "reorder_rate" || key == "edit_resend_rate") {
            if (!number(x, key.data(), 0, 1, d)) return false;
            (key == "duplicate_rate" ? o.duplicate_rate
             : key == "reorder_rate" ? o.reorder_rate
                                     : o.edit_resend_rate) = d;
        } else if (key == "reorder_delay_ms") {
            if (!integer(x, "reorder_delay_ms", 0, 3'600'000, i)) return false;
            o.reorder_delay = std::chrono::milliseconds(i);
        } else if (key == "max_extra_latency_ms") {
            if (!integer(x, "max_extra_latency_ms", 0, 600'000, i)) return false;
            o.max_extra_latency = std::chrono::milliseconds(i);
        } else if (key == "suspension_window_min") {
            if (!integer(x, "suspension_window_min", 1, 24 * 60, i)) return false;
            o.suspension_window = std::chrono::minutes(i);
        } else if (key == "suspension_rate") {
            if (!number(x, "suspension_rate", 0, 1, d)) return false;
            o.suspension_rate = d;
        } else if (key == "suspension_min_failures") {
            if (!integer(x, "suspension_min_failures", 1, 1e9, i)) return false;
            o.suspension_min_failures = static_cast<std::uint64_t>(i);
        } else if (key == "max_journal") {
            if (!integer(x, "max_journal", 1, 10'000'000, i)) return false;
            o.max_journal = static_cast<std::size_t>(i);
        } else if (key == "seed") {
            if (!integer(x, "seed", 0, 9.0e15, i)) return false;
            o.seed = static_cast<std::uint64_t>(i);
        } else {
            err = "unknown webhook option: " + std::string(key);
            return false;
        }
    }
    return true;
}

} // namespace pancake::sim
