#include "server.hpp"

#include <pancake/detail/redact.hpp>
#include <pancake/json.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <deque>
#include <fstream>
#include <list>
#include <mutex>
#include <sstream>

namespace pancake::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

std::string wire(const http::response<http::string_body>& r) {
    std::ostringstream os;
    os << r;
    return os.str();
}

http::response<http::string_body> to_http(const response& r, unsigned version, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(r.status), version};
    res.set(http::field::server, "pancake-sim");
    res.set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers)
        res.set(k, v);
    res.body() = r.body;
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return res;
}

} // namespace

json::value journal_to_json(const std::deque<journal_entry>& journal);

struct server::impl : std::enable_shared_from_this<impl> {
    impl(asio::any_io_executor ex, clock& clk, server_options o)
        : ex(ex), clk(clk), opts(std::move(o)), model(opts.seed), faults(opts.seed), acceptor(ex), started(clk.now()) {}

    asio::any_io_executor ex;
    clock& clk;
    server_options opts;
    world model;
    fault_injector faults;
    tcp::acceptor acceptor;
    steady_time started;
    std::deque<journal_entry> journal;
    std::uint64_t seq = 0;
    std::vector<emitted_event> events;
    std::function<void(const emitted_event&)> on_event;
    std::size_t accepted = 0;
    std::size_t parked = 0; // sessions waiting on the clock (latency) or hanging on purpose
    std::list<std::weak_ptr<beast::tcp_stream>> streams;
    bool stopped = false;

    double since_start() const { return std::chrono::duration<double>(clk.now() - started).count(); }

    void record(journal_entry e) {
        e.seq = ++seq;
        e.t = since_start();
        e.wall = utc_time(std::chrono::time_point_cast<std::chrono::microseconds>(clk.system_now())).to_string();
        if (e.body.size() > opts.journal_body_cap) e.body.resize(opts.journal_body_cap);
        journal.push_back(std::move(e));
        while (journal.size() > opts.max_journal)
            journal.pop_front();
    }

    void publish(std::vector<emitted_event>& evs) {
        for (auto& e : evs) {
            if (on_event) on_event(e);
            events.push_back(std::move(e));
        }
    }

    awaitable<void> accept_loop() {
        auto self = shared_from_this();
        for (;;) {
            auto [ec, sock] = co_await acceptor.async_accept(use_tuple);
            if (ec) {
                if (stopped || ec == asio::error::operation_aborted) co_return;
                continue; // e.g. EMFILE: keep serving the connections we have
            }
            ++accepted;
            auto stream = std::make_shared<beast::tcp_stream>(std::move(sock));
            std::erase_if(streams, [](auto& w) { return w.expired(); });
            streams.push_back(stream);
            asio::co_spawn(ex, session(stream), asio::detached);
        }
    }

    static void reset(beast::tcp_stream& s) {
        boost::system::error_code ec;
        s.socket().set_option(asio::socket_base::linger(true, 0), ec);
        s.socket().close(ec);
    }

    awaitable<void> session(std::shared_ptr<beast::tcp_stream> stream) {
        auto self = shared_from_this();
        beast::flat_buffer buf;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(opts.max_header));
            parser.body_limit(opts.max_body);
            stream->expires_after(opts.idle_timeout);
            auto [ec, n] = co_await http::async_read(*stream, buf, parser, use_tuple);
            if (ec) {
                const bool http_error = ec.category() == make_error_code(http::error::bad_target).category();
                std::optional<response> answer;
                if (ec == http::error::body_limit || ec == http::error::header_limit)
                    answer = error_response(413, "Request entity too large");
                else if (http_error && ec != http::error::end_of_stream && ec != http::error::partial_message)
                    answer = error_response(400, "Malformed HTTP request");
                if (answer) {
                    auto res = to_http(*answer, 11, false);
                    co_await http::async_write(*stream, res, use_tuple);
                }
                reset(*stream);
                co_return;
            }
            stream->expires_never();
            auto& req = parser.get();
            request r{std::string(req.method_string()), std::string(req.target()), std::move(req.body())};
            const bool keep_alive = req.keep_alive();
            const unsigned version = req.version();

            if (r.target.starts_with("/__sim/")) {
                auto resp = admin(r);
                auto res = to_http(resp, version, keep_alive);
                auto [wec, wn] = co_await http::async_write(*stream, res, use_tuple);
                if (wec || !keep_alive) co_return reset(*stream);
                continue;
            }

            journal_entry je{0, r.method, detail::redact_url(r.target), r.body, 0, {}, {}, {}, 0, {}};
            // Route and page are known before faults are chosen, so rules can target them.
            std::tie(je.route, je.page) = world::route_name(r);
            auto decision = faults.decide(je.route, je.page, since_start());
            if (decision.delay.count() > 0) {
                ++parked;
                auto [tec] = co_await clk.async_wait_for(ex, decision.delay, use_tuple);
                --parked;
                if (tec || stopped) co_return;
            }
            std::optional<response> resp;
            bool committed_fault = false;
            if (decision.failure) {
                je.fault = to_string(*decision.failure);
                switch (*decision.failure) {
                case fault_kind::server_error:
                    resp = error_response(decision.status, "Internal Server Error");
                    break;
                case fault_kind::transient_error:
                    resp = error_response(200, "An error occurred. Please try again later.");
                    break;
                case fault_kind::html:
                    resp = html_response(200);
                    break;
                case fault_kind::malformed_json:
                    resp = response{};
                    resp->body = "{\"success\": tru";
                    break;
                case fault_kind::rate_limited:
                    resp = error_response(429, "Too Many Requests");
                    break;
                case fault_kind::reset_before_headers:
                    record(std::move(je));
                    co_return reset(*stream);
                case fault_kind::hang: {
                    record(std::move(je));
                    char b[64];
                    ++parked;
                    for (;;) { // until the client gives up (or stop())
                        auto [hec, hn] = co_await stream->async_read_some(asio::buffer(b), use_tuple);
                        if (hec) break;
                    }
                    --parked;
                    co_return reset(*stream);
                }
                default:
                    committed_fault = true;
                    break; // truncated, reset_after_headers, commit_then_drop
                }
            }
            if (!resp) {
                auto out = model.handle(r, clk.now(), clk.system_now());
                publish(out.events);
                resp = std::move(out.resp);
            }
            je.status = committed_fault ? 0 : resp->status;
            record(std::move(je));
            auto res = to_http(*resp, version, keep_alive);
            if (committed_fault) {
                auto bytes = wire(res);
                auto header_end = bytes.find("\r\n\r\n") + 4;
                std::size_t keep = 0;
                if (*decision.failure == fault_kind::reset_after_headers) keep = header_end;
                if (*decision.failure == fault_kind::truncated_json)
                    keep = header_end + (bytes.size() - header_end) / 2;
                if (keep) co_await asio::async_write(stream->socket(), asio::buffer(bytes.data(), keep), use_tuple);
                co_return reset(*stream);
            }
            auto [wec, wn] = co_await http::async_write(*stream, res, use_tuple);
            if (wec || !keep_alive) co_return reset(*stream);
        }
    }

    response admin(const request& r);
};

response server::impl::admin(const request& r) {
    auto parsed = boost::urls::parse_origin_form(r.target);
    if (!parsed) return error_response(400, "bad target");
    std::vector<std::string> s;
    for (auto seg : parsed->segments())
        s.push_back(seg);
    auto param = [&](std::string_view k) -> std::optional<std::string> {
        auto it = parsed->params().find(k);
        if (it == parsed->params().end()) return std::nullopt;
        return std::string((*it).value);
    };
    auto body = [&]() -> std::optional<json::value> {
        boost::system::error_code ec;
        auto v = json::parse(r.body, ec);
        if (ec) return std::nullopt;
        return v;
    };
    auto ok = [](json::object o = {}) {
        o["ok"] = true;
        return json_response(200, o);
    };
    const bool get = r.method == "GET", post = r.method == "POST" || r.method == "PUT", del = r.method == "DELETE";
    auto is = [&](std::size_t i, std::string_view v) { return i < s.size() && s[i] == v; };
    // s[0] == "__sim"
    if (s.size() == 2 && is(1, "health") && get) return ok({{"seed", model.seed()}, {"t", since_start()}});
    if (s.size() == 2 && is(1, "reset") && post) {
        model.reset();
        faults.clear();
        faults.reseed(opts.seed);
        journal.clear();
        events.clear();
        return ok();
    }
    if (s.size() == 2 && is(1, "fixture") && post) {
        auto v = body();
        std::string err = "invalid JSON";
        if (!v || !model.load_fixture(*v, err)) return error_response(400, err);
        return ok();
    }
    if (s.size() == 2 && is(1, "faults")) {
        if (get) return json_response(200, faults.report());
        if (del) return faults.clear(), ok();
        if (post) {
            auto v = body();
            std::string err = "invalid JSON";
            if (!v || !faults.set_plan(*v, err)) return error_response(400, err);
            return ok();
        }
    }
    if (s.size() == 2 && is(1, "rate_limit") && post) {
        auto v = body();
        if (!v || !v->is_object()) return error_response(400, "invalid JSON");
        auto& o = v->as_object();
        auto& rl = model.rate_limits();
        if (auto* x = o.if_contains("per_second"); x && x->is_number()) rl.per_second = x->to_number<int>();
        if (auto* x = o.if_contains("retry_after"); x && x->is_bool()) rl.retry_after = x->as_bool();
        if (auto* x = o.if_contains("fixed_window"); x && x->is_bool()) rl.fixed_window = x->as_bool();
        if (auto* x = o.if_contains("per_page"); x && x->is_object())
            for (auto& [k, val] : x->as_object())
                if (val.is_number()) rl.per_page[std::string(k)] = val.to_number<int>();
        return ok();
    }
    if (s.size() == 2 && is(1, "behaviour") && post) {
        auto v = body();
        if (!v || !v->is_object()) return error_response(400, "invalid JSON");
        auto& b = model.behaviour_config();
        auto& o = v->as_object();
        auto flag = [&](std::string_view k, bool& dst) {
            if (auto* x = o.if_contains(k); x && x->is_bool()) dst = x->as_bool();
        };
        flag("reject_duplicate_tag_add", b.reject_duplicate_tag_add);
        flag("reject_absent_tag_remove", b.reject_absent_tag_remove);
        flag("reject_unknown_tag", b.reject_unknown_tag);
        flag("unknown_conversation_html", b.unknown_conversation_html);
        flag("reject_fb_id_assignee", b.reject_fb_id_assignee);
        flag("reject_empty_assign", b.reject_empty_assign);
        flag("round_robin_missing_key_clears", b.round_robin_missing_key_clears);
        flag("accept_access_token_alias", b.accept_access_token_alias);
        if (auto* x = o.if_contains("invalid_token_status"); x && x->is_number())
            b.invalid_token_status = x->to_number<unsigned>();
        return ok();
    }
    if (s.size() >= 2 && is(1, "journal")) {
        if (s.size() == 2 && get) return json_response(200, journal_to_json(journal));
        if (s.size() == 2 && del) return journal.clear(), ok();
        if (s.size() == 3 && is(2, "count") && get) {
            auto route = param("route"), page = param("page"), status = param("status"), method = param("method");
            std::size_t n = 0;
            for (auto& e : journal)
                if ((!route || e.route == *route) && (!page || e.page == *page) &&
                    (!status || std::to_string(e.status) == *status) && (!method || e.method == *method))
                    ++n;
            return ok({{"count", n}});
        }
    }
    if (s.size() == 2 && is(1, "events") && get) {
        json::array a;
        for (auto& e : events)
            a.push_back(e.body);
        return json_response(200, json::object{{"events", std::move(a)}});
    }
    if (s.size() == 3 && is(1, "time") && is(2, "advance") && post) {
        auto* vc = dynamic_cast<virtual_clock*>(&clk);
        if (!vc) return error_response(409, "the simulator runs on real time");
        auto ms = param("ms");
        std::int64_t n;
        if (!ms || !detail::parse_int(*ms, n) || n < 0) return error_response(400, "ms must be a non-negative integer");
        vc->advance(std::chrono::milliseconds(n));
        return ok({{"t", since_start()}});
    }
    if (s.size() >= 3 && is(1, "pages")) {
        const std::string& pid = s[2];
        if (s.size() == 4 && is(3, "messages") && post) {
            auto v = body();
            if (!v || !v->is_object()) return error_response(400, "invalid JSON");
            auto& o = v->as_object();
            customer_message m;
            auto str = [&](std::string_view k) -> std::optional<std::string> {
                auto* x = o.if_contains(k);
                return x && x->is_string() ? std::optional<std::string>(x->as_string()) : std::nullopt;
            };
            m.psid = str("psid").value_or("");
            m.name = str("name").value_or("Khách hàng");
            m.text = str("text").value_or("");
            m.type = str("type").value_or("INBOX");
            m.conversation_id = str("conversation_id");
            m.post_id = str("post_id");
            auto out = model.inject(pid, m, clk.system_now());
            publish(out.events);
            return out.resp;
        }
        if (s.size() == 5 && is(3, "users") && post) {
            auto v = body();
            if (!v || !v->is_object()) return error_response(400, "invalid JSON");
            auto& o = v->as_object();
            std::optional<std::string> status;
            std::optional<bool> online;
            if (auto* x = o.if_contains("status"); x && x->is_string()) status = std::string(x->as_string());
            if (auto* x = o.if_contains("is_online"); x && x->is_bool()) online = x->as_bool();
            if (!model.set_user_status(pid, s[4], status, online)) return error_response(404, "unknown page or user");
            return ok();
        }
        if (s.size() == 5 && is(3, "conversations") && get) {
            auto* c = model.find_conversation(pid, s[4]);
            if (!c) return error_response(404, "unknown conversation");
            auto* p = model.find_page(pid);
            json::object o{{"conversation", encode(*c)}};
            auto it = p->messages.find(s[4]);
            o["messages"] = it == p->messages.end() ? json::value(json::array{}) : encode(it->second);
            return json_response(200, o);
        }
    }
    return error_response(404, "unknown admin route");
}

server::server(asio::any_io_executor ex, clock& clk, server_options opts)
    : impl_(std::make_shared<impl>(ex, clk, std::move(opts))) {
    std::string err;
    impl_->model.load_fixture(sample_fixture(), err);
}

server::~server() { stop(); }

void server::start() {
    auto& i = *impl_;
    tcp::endpoint ep(asio::ip::make_address(i.opts.host), i.opts.port);
    i.acceptor.open(ep.protocol());
    i.acceptor.set_option(asio::socket_base::reuse_address(true));
    i.acceptor.bind(ep);
    i.acceptor.listen();
    i.stopped = false;
    asio::co_spawn(i.ex, i.accept_loop(), asio::detached);
}

void server::stop() {
    auto& i = *impl_;
    i.stopped = true;
    boost::system::error_code ec;
    i.acceptor.close(ec);
    for (auto& w : i.streams)
        if (auto s = w.lock()) s->socket().close(ec);
    i.streams.clear();
}

unsigned short server::port() const { return impl_->acceptor.local_endpoint().port(); }
std::string server::base_url() const { return "http://" + impl_->opts.host + ":" + std::to_string(port()); }
world& server::model() noexcept { return impl_->model; }
fault_injector& server::faults() noexcept { return impl_->faults; }
std::vector<journal_entry> server::journal() const { return {impl_->journal.begin(), impl_->journal.end()}; }
void server::clear_journal() { impl_->journal.clear(); }
std::vector<emitted_event> server::events() const { return impl_->events; }
std::size_t server::connections_accepted() const noexcept { return impl_->accepted; }
std::size_t server::parked() const noexcept { return impl_->parked; }
void server::on_event(std::function<void(const emitted_event&)> f) { impl_->on_event = std::move(f); }

json::value server::journal_json() const { return journal_to_json(impl_->journal); }

json::value journal_to_json(const std::deque<journal_entry>& journal) {
    json::array a;
    for (auto& e : journal)
        a.push_back({{"seq", e.seq},
                     {"method", e.method},
                     {"path", e.path},
                     {"body", e.body},
                     {"status", e.status},
                     {"route", e.route},
                     {"page", e.page},
                     {"fault", e.fault},
                     {"t", e.t},
                     {"wall", e.wall}});
    return json::object{{"journal", std::move(a)}};
}

bool server::load_fixture(const json::value& fx, std::string& err) { return impl_->model.load_fixture(fx, err); }

bool server::load_fixture_file(const std::string& path, std::string& err) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        err = "cannot open " + path;
        return false;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    boost::system::error_code ec;
    auto v = json::parse(ss.str(), ec);
    if (ec) {
        err = path + ": " + ec.message();
        return false;
    }
    return load_fixture(v, err);
}

} // namespace pancake::sim
