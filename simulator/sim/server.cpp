#include "server.hpp"

#include <pancake/detail/redact.hpp>
#include <pancake/json.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <stdexcept>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_set>

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
    // Beast writes any number as the status line ("HTTP/1.1 000"): never let a bad one out.
    const unsigned status = r.status >= 200 && r.status <= 599 ? r.status : 500;
    http::response<http::string_body> res{static_cast<http::status>(status), version};
    res.set(http::field::server, "pancake-sim");
    res.set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers)
        res.set(k, v);
    res.body() = r.body;
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return res;
}

// A request body that grows as bytes arrive: string_body reserves the claimed Content-Length up
// front, so a thousand clients each claiming 1 MiB would pin a GiB without sending anything.
struct growing_body {
    using value_type = std::string;
    static std::uint64_t size(const value_type& v) { return v.size(); }
    class reader {
    public:
        template <bool isRequest, class Fields>
        reader(http::header<isRequest, Fields>&, value_type& b) : body_(b) {}
        void init(const boost::optional<std::uint64_t>&, beast::error_code& ec) { ec = {}; }
        template <class ConstBufferSequence>
        std::size_t put(const ConstBufferSequence& buffers, beast::error_code& ec) {
            std::size_t n = 0;
            for (auto b : beast::buffers_range_ref(buffers)) {
                body_.append(static_cast<const char*>(b.data()), b.size());
                n += b.size();
            }
            ec = {};
            return n;
        }
        void finish(beast::error_code& ec) { ec = {}; }

    private:
        value_type& body_;
    };
};

// Valid UTF-8 is copied; any other byte becomes the four characters \xNN, so the journal always
// serializes as valid JSON (Boost.JSON copies invalid bytes through).
std::string clean_utf8(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    auto u = [&](std::size_t i) { return static_cast<unsigned char>(in[i]); };
    for (std::size_t i = 0; i < in.size();) {
        const unsigned c = u(i);
        std::size_t len = 0;
        unsigned lo = 0x80, hi = 0xBF; // allowed range of the second byte
        if (c < 0x80)
            len = 1;
        else if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0; // overlong
            if (c == 0xED) hi = 0x9F; // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90; // overlong
            if (c == 0xF4) hi = 0x8F; // above U+10FFFF
        }
        bool ok = len > 0 && i + len <= in.size();
        for (std::size_t k = 1; ok && k < len; ++k) {
            const unsigned b = u(i + k);
            ok = k == 1 ? b >= lo && b <= hi : b >= 0x80 && b <= 0xBF;
        }
        if (ok) {
            out.append(in.substr(i, len));
            i += len;
        } else {
            static constexpr char hex[] = "0123456789ABCDEF";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
            ++i;
        }
    }
    return out;
}

// Cuts valid UTF-8 to at most `cap` bytes without splitting a character.
void cut_utf8(std::string& s, std::size_t cap) {
    if (s.size() <= cap) return;
    std::size_t n = cap;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    s.resize(n);
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool same_secret(std::string_view a, std::string_view b) { // no early exit on the first difference
    if (a.size() != b.size()) return false;
    unsigned char d = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        d |= static_cast<unsigned char>(a[i] ^ b[i]);
    return d == 0;
}

// An integer in [lo, hi]; 2.0 counts, 1.5 and 1e300 do not.
std::optional<std::int64_t> int_in(const json::value& v, std::int64_t lo, std::int64_t hi) {
    std::int64_t x = 0;
    if (v.is_int64())
        x = v.as_int64();
    else if (v.is_uint64()) {
        if (v.as_uint64() > static_cast<std::uint64_t>(hi)) return std::nullopt;
        x = static_cast<std::int64_t>(v.as_uint64());
    } else if (v.is_double()) {
        const double d = v.as_double();
        if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)) || d != std::floor(d)) return std::nullopt;
        x = static_cast<std::int64_t>(d);
    } else
        return std::nullopt;
    if (x < lo || x > hi) return std::nullopt;
    return x;
}

std::optional<std::uint64_t> uint_param(const std::optional<std::string>& s, std::uint64_t hi) {
    if (!s) return std::nullopt;
    std::int64_t n = 0;
    if (!detail::parse_int(*s, n) || n < 0 || static_cast<std::uint64_t>(n) > hi) return std::nullopt;
    return static_cast<std::uint64_t>(n);
}

constexpr std::size_t page_byte_budget = 8 << 20; // one admin page of journal or events, roughly
constexpr std::size_t default_page_limit = 1000, max_page_limit = 10000;
constexpr std::size_t max_rotated_secrets = 4096;

} // namespace

json::value journal_to_json(const std::deque<journal_entry>& journal);

struct server::impl : std::enable_shared_from_this<impl> {
    impl(asio::any_io_executor ex, clock& clk, server_options o)
        : ex(ex), clk(clk), opts(std::move(o)), model(opts.seed), faults(opts.seed), acceptor(ex), accept_pause(ex),
          started(clk.now()), webhooks(ex, clk, opts.webhooks) {
        std::string err;
        if (!webhooks.set_default_url(opts.webhook_url, err))
            throw std::invalid_argument("webhook URL " + opts.webhook_url + ": " + err);
    }

    struct conn {
        std::shared_ptr<beast::tcp_stream> stream;
        bool idle = false;          // waiting for the first byte of a request: may be closed at the cap
        bool refusing = false;      // turned away at the cap (answering 503)
        bool served = false;        // has answered a request (an idle keep-alive connection)
        std::size_t body_bytes = 0; // request body being received
    };
    struct stored_event {
        std::uint64_t seq;
        std::size_t bytes;
        emitted_event ev;
    };

    asio::any_io_executor ex;
    clock& clk;
    server_options opts;
    world model;
    fault_injector faults;
    tcp::acceptor acceptor;
    asio::steady_timer accept_pause;
    steady_time started;
    std::deque<journal_entry> journal;
    std::size_t journal_bytes = 0, journal_dropped = 0;
    std::uint64_t seq = 0;
    std::deque<stored_event> events;
    std::size_t events_bytes = 0, events_dropped = 0;
    std::uint64_t event_seq = 0;
    std::function<void(const emitted_event&)> on_event;
    webhook_dispatcher webhooks;
    std::size_t accepted = 0, refused = 0, accept_errors = 0;
    std::chrono::milliseconds backoff{0};
    std::size_t parked = 0; // sessions waiting on the clock (latency) or hanging on purpose
    std::map<std::uint64_t, conn> conns;
    std::uint64_t next_conn = 0;
    bool stopped = false;
    // Tokens to redact from the journal, by length (few distinct lengths, so a lookup per length
    // and position is cheap). Rotated-away tokens are kept too, the oldest dropped past a cap.
    struct sv_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view v) const noexcept { return std::hash<std::string_view>{}(v); }
    };
    std::map<std::size_t, std::unordered_set<std::string, sv_hash, std::equal_to<>>> secrets;
    std::deque<std::string> rotated;

    double since_start() const { return std::chrono::duration<double>(clk.now() - started).count(); }

    std::size_t sessions() const {
        return static_cast<std::size_t>(
            std::count_if(conns.begin(), conns.end(), [](auto& c) { return !c.second.refusing; }));
    }

    bool add_secret(const std::string& t) {
        if (t.size() < 4) return false; // too short to be a token; would shred ordinary text
        return secrets[t.size()].insert(t).second;
    }
    void note_fixture_secrets(const json::value& v) { // every string under a key that names a token
        if (auto* o = v.if_object()) {
            for (auto& [k, x] : *o) {
                if (x.is_string() && lower(k).find("token") != std::string::npos)
                    add_secret(std::string(x.as_string()));
                note_fixture_secrets(x);
            }
        } else if (auto* a = v.if_array())
            for (auto& x : *a)
                note_fixture_secrets(x);
    }
    void note_model_secrets() { // picks up rotated page tokens (generate_page_access_token)
        for (auto& id : model.page_ids())
            if (auto* p = model.find_page(id); p && add_secret(p->token)) {
                rotated.push_back(p->token);
                if (rotated.size() > max_rotated_secrets) {
                    auto& old = rotated.front();
                    bool current = false;
                    for (auto& pid : model.page_ids())
                        current = current || model.find_page(pid)->token == old;
                    if (!current) secrets[old.size()].erase(old);
                    rotated.pop_front();
                }
            }
    }

    // Replaces every known token in `raw`, also when its characters are written %XX or \u00XX.
    std::string redact(std::string_view raw) const {
        if (secrets.empty()) return std::string(raw);
        std::string d;               // the text with those escapes decoded
        std::vector<std::size_t> at; // at[i]: where d[i] starts in raw
        d.reserve(raw.size());
        at.reserve(raw.size() + 1);
        for (std::size_t i = 0; i < raw.size();) {
            at.push_back(i);
            if (raw[i] == '%' && i + 2 < raw.size() && hex_digit(raw[i + 1]) >= 0 && hex_digit(raw[i + 2]) >= 0) {
                d += static_cast<char>(hex_digit(raw[i + 1]) * 16 + hex_digit(raw[i + 2]));
                i += 3;
            } else if (raw[i] == '\\' && i + 5 < raw.size() && raw[i + 1] == 'u' && raw[i + 2] == '0' &&
                       raw[i + 3] == '0' && hex_digit(raw[i + 4]) >= 0 && hex_digit(raw[i + 4]) < 8 &&
                       hex_digit(raw[i + 5]) >= 0) {
                d += static_cast<char>(hex_digit(raw[i + 4]) * 16 + hex_digit(raw[i + 5]));
                i += 6;
            } else
                d += raw[i++];
        }
        at.push_back(raw.size());
        std::string out;
        std::size_t copied = 0; // raw bytes already handled
        for (std::size_t i = 0; i < d.size();) {
            std::size_t hit = 0;
            for (auto& [len, set] : secrets)
                if (!set.empty() && i + len <= d.size() && set.contains(std::string_view(d).substr(i, len))) {
                    hit = len;
                    break;
                }
            if (!hit) {
                ++i;
                continue;
            }
            out.append(raw.substr(copied, at[i] - copied));
            out += detail::redacted_value;
            copied = at[i + hit];
            i += hit;
        }
        out.append(raw.substr(copied));
        return out;
    }

    // The target with the value of every query parameter whose name mentions a token (in any
    // case) replaced, then every known token removed wherever else it appears.
    std::string redact_target(std::string_view raw_target) const {
        const std::string target = lenient_target(raw_target); // as the model parses it
        auto parsed = boost::urls::parse_origin_form(target);
        if (!parsed) {
            auto q = target.find('?');
            return redact(target.substr(0, q)) + (q == std::string_view::npos ? "" : "?<unparseable query>");
        }
        boost::urls::url u(*parsed);
        auto params = u.params();
        for (auto it = params.begin(); it != params.end(); ++it)
            if (lower((*it).key).find("token") != std::string::npos && (*it).has_value)
                it = params.replace(it, {(*it).key, detail::redacted_value});
        return redact(u.buffer());
    }

    static std::size_t entry_bytes(const journal_entry& e) {
        return sizeof(journal_entry) + e.method.size() + e.path.size() + e.body.size() + e.route.size() +
               e.page.size() + e.fault.size() + e.wall.size();
    }

    void record(journal_entry e) {
        e.seq = ++seq;
        e.t = since_start();
        e.wall = utc_time(std::chrono::time_point_cast<std::chrono::microseconds>(clk.system_now())).to_string();
        note_model_secrets();
        // Redact before cutting, so a token across the cut leaves no prefix behind; look a little
        // past the cap (a token written as \u00XX escapes is six times its length).
        std::size_t longest = secrets.empty() ? 0 : secrets.rbegin()->first;
        std::string_view raw = e.body;
        e.body = clean_utf8(redact(raw.substr(0, std::min(raw.size(), opts.journal_body_cap + 6 * longest))));
        cut_utf8(e.body, opts.journal_body_cap);
        e.path = clean_utf8(redact_target(e.path));
        e.method = clean_utf8(e.method);
        e.route = clean_utf8(e.route);
        e.page = clean_utf8(redact(e.page));
        journal_bytes += entry_bytes(e);
        journal.push_back(std::move(e));
        while (!journal.empty() && (journal.size() > opts.max_journal || journal_bytes > opts.max_journal_bytes)) {
            journal_bytes -= entry_bytes(journal.front());
            journal.pop_front();
            ++journal_dropped;
        }
    }

    void publish(std::vector<emitted_event>& evs) {
        for (auto& e : evs) {
            if (on_event) on_event(e);
            webhooks.deliver(e);
            const std::size_t bytes = json::serialize(e.body).size();
            events_bytes += bytes;
            events.push_back({++event_seq, bytes, std::move(e)});
            while (!events.empty() && (events.size() > opts.max_events || events_bytes > opts.max_events_bytes)) {
                events_bytes -= events.front().bytes;
                events.pop_front();
                ++events_dropped;
            }
        }
    }

    awaitable<void> accept_loop() {
        auto self = shared_from_this();
        for (;;) {
            boost::system::error_code ec;
            tcp::socket sock(ex);
            if (opts.accept_fault) ec = opts.accept_fault();
            if (!ec) {
                auto [aec, s] = co_await acceptor.async_accept(use_tuple);
                ec = aec;
                sock = std::move(s);
            }
            if (stopped || ec == asio::error::operation_aborted) co_return;
            if (ec) {
                // At the descriptor limit (EMFILE) accept fails at once, every time: pause and
                // retry, doubling the pause, so the open connections keep being served.
                ++accept_errors;
                backoff = std::clamp(backoff * 2, std::chrono::milliseconds(5), std::chrono::milliseconds(1000));
                accept_pause.expires_after(backoff);
                co_await accept_pause.async_wait(use_tuple);
                if (stopped) co_return;
                continue;
            }
            backoff = {};
            ++accepted;
            const auto id = ++next_conn;
            auto stream = std::make_shared<beast::tcp_stream>(std::move(sock));
            if (sessions() >= opts.max_connections && !evict_idle()) {
                ++refused;
                conns[id] = conn{stream, false, true, false, 0};
                asio::co_spawn(ex, refuse(stream, id), asio::detached);
                continue;
            }
            conns[id] = conn{stream, false, false, false, 0};
            asio::co_spawn(ex, session(stream, id), asio::detached);
        }
    }

    // At the cap, a connection waiting idle for its next request makes room for a new one.
    // Keep-alive connections that have been answered go first: a fresh one is most likely a
    // client whose request is already on its way.
    bool evict_idle() {
        for (bool fresh_too : {false, true})
            for (auto it = conns.begin(); it != conns.end(); ++it)
                if (it->second.idle && !it->second.refusing && (it->second.served || fresh_too)) {
                    boost::system::error_code ec;
                    it->second.stream->socket().close(ec);
                    conns.erase(it);
                    return true;
                }
        return false;
    }

    awaitable<void> refuse(std::shared_ptr<beast::tcp_stream> stream, std::uint64_t id) {
        auto self = shared_from_this();
        const std::size_t refusing = conns.size() - sessions();
        if (refusing <= opts.max_connections) { // a flood of refusals gets no answer at all
            auto busy = error_response(503, "Too many connections");
            busy.headers.emplace_back("Retry-After", "1");
            auto res = to_http(busy, 11, false);
            stream->expires_after(opts.linger_timeout);
            auto [ec, n] = co_await http::async_write(*stream, res, use_tuple);
            if (!ec) co_await graceful_close(*stream, id);
        }
        close(*stream);
        conns.erase(id);
    }

    static void reset(beast::tcp_stream& s) { // for the faults that lose the answer on purpose
        boost::system::error_code ec;
        s.socket().set_option(asio::socket_base::linger(true, 0), ec);
        s.socket().close(ec);
    }
    static void close(beast::tcp_stream& s) {
        boost::system::error_code ec;
        s.socket().close(ec);
    }

    // Closing at once (or with linger 0) throws away what is still in the send buffer, and closing
    // with unread input makes the kernel send RST, which destroys the answer on the peer's side:
    // shut our side down so the peer reads everything then EOF, and wait briefly for its EOF,
    // discarding what it still sends (say the rest of a body we refused with 413).
    awaitable<void> graceful_close(beast::tcp_stream& s, std::uint64_t id = 0) {
        set_conn(id, true, 0, true); // on its way out: the first to go if room is needed
        boost::system::error_code ec;
        s.socket().shutdown(tcp::socket::shutdown_send, ec);
        if (!ec) {
            s.expires_after(opts.linger_timeout);
            std::array<char, 8192> sink;
            for (std::size_t drained = 0; drained < opts.max_body + (1 << 20);) {
                auto [rec, n] = co_await s.async_read_some(asio::buffer(sink), use_tuple);
                if (rec) break;
                drained += n;
            }
        }
        close(s);
    }

    // Writes an answer within write_timeout; a HEAD answer is its headers only.
    awaitable<bool> send(beast::tcp_stream& s, http::response<http::string_body>& res, bool head) {
        s.expires_after(opts.write_timeout);
        if (head) {
            http::response_serializer<http::string_body> sr(res);
            auto [ec, n] = co_await http::async_write_header(s, sr, use_tuple);
            co_return !ec;
        }
        auto [ec, n] = co_await http::async_write(s, res, use_tuple);
        co_return !ec;
    }

    void set_conn(std::uint64_t id, bool idle, std::size_t body_bytes, bool served = false) {
        if (auto it = conns.find(id); it != conns.end()) {
            it->second.served = it->second.served || served;
            it->second.idle = idle;
            it->second.body_bytes = body_bytes;
        }
    }

    template <class F>
    response guarded(F f) { // a bug or an unforeseen input answers 500 instead of killing the session
        try {
            return f();
        } catch (const std::exception& e) {
            return error_response(500, std::string("pancake-sim internal error: ") + e.what());
        }
    }

    awaitable<void> session(std::shared_ptr<beast::tcp_stream> stream, std::uint64_t id) {
        auto self = shared_from_this();
        struct forget {
            impl* i;
            std::uint64_t id;
            ~forget() { i->conns.erase(id); }
        } forget_conn{this, id};
        beast::flat_buffer buf;
        for (bool first = true;; first = false) {
            if (buf.size() == 0) { // between requests: idle, may be closed to make room
                set_conn(id, true, 0, !first);
                stream->expires_after(opts.idle_timeout);
                auto [ec, n] = co_await stream->async_read_some(buf.prepare(4096), use_tuple);
                set_conn(id, false, 0);
                if (ec) co_return close(*stream);
                buf.commit(n);
            }
            http::request_parser<growing_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(opts.max_header, UINT32_MAX)));
            parser.body_limit(opts.max_body);
            stream->expires_after(opts.idle_timeout); // the whole request must arrive by then
            boost::system::error_code ec;
            while (!ec && !parser.is_done()) {
                auto [rec, n] = co_await http::async_read_some(*stream, buf, parser, use_tuple);
                ec = rec;
                set_conn(id, false, parser.get().body().capacity());
            }
            set_conn(id, false, 0);
            if (ec) {
                const bool http_error = ec.category() == make_error_code(http::error::bad_target).category();
                std::optional<response> answer;
                if (ec == http::error::body_limit || ec == http::error::header_limit)
                    answer = error_response(413, "Request entity too large");
                else if (http_error && ec != http::error::end_of_stream && ec != http::error::partial_message)
                    answer = error_response(400, "Malformed HTTP request");
                if (!answer) co_return close(*stream);
                auto res = to_http(*answer, 11, false);
                if (co_await send(*stream, res, false)) co_await graceful_close(*stream, id);
                co_return close(*stream);
            }
            auto& req = parser.get();
            request r{std::string(req.method_string()), std::string(req.target()), std::move(req.body())};
            const bool keep_alive = req.keep_alive();
            const bool head = req.method() == http::verb::head;
            const unsigned version = req.version();

            if (r.target.starts_with("/__sim/")) {
                auto resp = opts.admin_token.empty() || same_secret(req["X-Sim-Admin-Token"], opts.admin_token)
                                ? guarded([&] { return admin(r); })
                                : error_response(401, "admin token required (X-Sim-Admin-Token header)");
                auto res = to_http(resp, version, keep_alive);
                if (!co_await send(*stream, res, head)) co_return reset(*stream);
                if (!keep_alive) co_return co_await graceful_close(*stream, id);
                continue;
            }

            journal_entry je{0, r.method, r.target, r.body, 0, {}, {}, {}, 0, {}};
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
                // The server received the call: it counts toward the page's rate limit, except for
                // a connection dropped before the request got through (reset_before_headers). The
                // committed kinds go through the model, which counts them itself.
                const auto k = *decision.failure;
                if (k != fault_kind::reset_before_headers && k != fault_kind::truncated_json &&
                    k != fault_kind::reset_after_headers && k != fault_kind::commit_then_drop)
                    model.count_call(je.page, clk.now());
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
                    stream->expires_after(opts.hang_timeout); // held until the client gives up, within reason
                    for (;;) {
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
            if (!resp)
                resp = guarded([&] {
                    auto out = model.handle(r, clk.now(), clk.system_now());
                    publish(out.events);
                    return std::move(out.resp);
                });
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
                if (keep) {
                    stream->expires_after(opts.write_timeout);
                    co_await asio::async_write(*stream, asio::buffer(bytes.data(), keep), use_tuple);
                }
                co_return reset(*stream);
            }
            if (!co_await send(*stream, res, head)) co_return reset(*stream);
            if (!keep_alive) co_return co_await graceful_close(*stream, id);
        }
    }

    response admin(const request& r);
    bool load_fixture(const json::value& fx, std::string& err) {
        // An empty fixture would also become what reset restores: refuse it, as the CLI does.
        auto* o = fx.if_object();
        auto* pages = o ? o->if_contains("pages") : nullptr;
        if (pages && pages->is_array() && pages->as_array().empty()) {
            err = "a fixture needs at least one page";
            return false;
        }
        // A page's own webhook URL ("webhook_url"): checked before anything changes.
        std::vector<std::pair<std::string, std::string>> urls;
        if (pages && pages->is_array())
            for (auto& jp : pages->as_array()) {
                auto* po = jp.if_object();
                auto* u = po ? po->if_contains("webhook_url") : nullptr;
                auto* id = po ? po->if_contains("id") : nullptr;
                if (!u || u->is_null() || !id || !id->is_string()) continue;
                if (!u->is_string()) {
                    err = "bad page: webhook_url must be a string";
                    return false;
                }
                std::string url(u->as_string());
                if (!webhook_dispatcher::valid_url(url, err)) {
                    err = "bad page: webhook_url: " + err;
                    return false;
                }
                urls.emplace_back(std::string(id->as_string()), std::move(url));
            }
        if (!model.load_fixture(fx, err)) return false;
        for (auto& [page, url] : urls)
            webhooks.set_url(page, url, err);
        note_fixture_secrets(fx);
        note_model_secrets();
        return true;
    }
    json::value page_of_journal(std::uint64_t after, std::size_t limit) const;
    json::value page_of_events(std::uint64_t after, std::size_t limit) const;
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
    auto bad = [](std::string_view what) { return error_response(400, what); };
    // The first field of `o` not in `known`, if any: a typo must not pass silently.
    auto unknown_field = [](const json::object& o, std::initializer_list<std::string_view> known) {
        for (auto& [k, v] : o)
            if (std::find(known.begin(), known.end(), std::string_view(k)) == known.end())
                return std::optional<std::string>(std::string(k));
        return std::optional<std::string>();
    };
    // Paging of the journal and the events: ?after=SEQ (exclusive) &limit=N.
    auto paging = [&](std::uint64_t& after, std::size_t& limit) -> std::optional<response> {
        after = 0;
        limit = default_page_limit;
        if (auto a = param("after")) {
            auto n = uint_param(a, INT64_MAX);
            if (!n) return bad("after must be a non-negative integer (a seq)");
            after = *n;
        }
        if (auto l = param("limit")) {
            auto n = uint_param(l, max_page_limit);
            if (!n || *n == 0) return bad("limit must be an integer from 1 to " + std::to_string(max_page_limit));
            limit = static_cast<std::size_t>(*n);
        }
        return std::nullopt;
    };
    const bool get = r.method == "GET" || r.method == "HEAD", post = r.method == "POST" || r.method == "PUT",
               del = r.method == "DELETE";
    auto is = [&](std::size_t i, std::string_view v) { return i < s.size() && s[i] == v; };
    // s[0] == "__sim"
    if (s.size() == 2 && is(1, "health") && get) return ok({{"seed", model.seed()}, {"t", since_start()}});
    if (s.size() == 2 && is(1, "reset") && post) {
        model.reset();
        faults.clear();
        faults.reseed(opts.seed);
        journal.clear();
        journal_bytes = 0;
        events.clear();
        events_bytes = 0;
        return ok();
    }
    if (s.size() == 2 && is(1, "fixture") && post) {
        auto v = body();
        std::string err = "invalid JSON";
        if (!v || !load_fixture(*v, err)) return bad(err);
        return ok();
    }
    if (s.size() >= 2 && is(1, "webhooks")) {
        std::string rest;
        for (std::size_t k = 2; k < s.size(); ++k)
            rest += "/" + s[k];
        if (auto a = webhooks.admin(r.method == "HEAD" ? "GET" : r.method, rest, parsed->encoded_query(), r.body))
            return json_response(a->first, a->second);
        return error_response(404, "no such webhooks route");
    }
    if (s.size() == 2 && is(1, "snapshot") && post) {
        if (opts.state_file.empty()) return error_response(409, "no state file: start pancake-sim with --state FILE");
        std::string err;
        if (!server::write_snapshot_to(*this, err)) return error_response(500, err);
        return ok({{"file", opts.state_file}});
    }
    if (s.size() == 2 && is(1, "faults")) {
        if (get) return json_response(200, faults.report());
        if (del) return faults.clear(), ok();
        if (post) {
            auto v = body();
            std::string err = "invalid JSON";
            if (!v || !faults.set_plan(*v, err)) return bad(err);
            return ok();
        }
    }
    if (s.size() == 2 && is(1, "rate_limit") && post) {
        auto v = body();
        if (!v || !v->is_object()) return bad("expected a JSON object");
        auto& o = v->as_object();
        if (auto k = unknown_field(o, {"per_second", "per_page", "retry_after", "fixed_window"}))
            return bad("unknown field " + *k);
        constexpr std::int64_t most = 1000000;
        const std::string range = " must be an integer from 0 (no limit) to " + std::to_string(most);
        auto rl = model.rate_limits(); // validate everything first: all or nothing
        if (auto* x = o.if_contains("per_second")) {
            auto n = int_in(*x, 0, most);
            if (!n) return bad("per_second" + range);
            rl.per_second = static_cast<int>(*n);
        }
        for (auto [key, dst] : {std::pair{"retry_after", &rl.retry_after}, std::pair{"fixed_window", &rl.fixed_window}})
            if (auto* x = o.if_contains(key)) {
                if (!x->is_bool()) return bad(std::string(key) + " must be true or false");
                *dst = x->as_bool();
            }
        if (auto* x = o.if_contains("per_page")) {
            if (!x->is_object()) return bad("per_page must be an object {page id: calls per second}");
            for (auto& [k, val] : x->as_object()) {
                auto n = int_in(val, 0, most);
                if (!n) return bad("per_page." + std::string(k) + range);
                rl.per_page[std::string(k)] = static_cast<int>(*n);
            }
        }
        model.rate_limits() = std::move(rl);
        return ok();
    }
    if (s.size() == 2 && is(1, "behaviour") && post) {
        auto v = body();
        if (!v || !v->is_object()) return bad("expected a JSON object");
        auto b = model.behaviour_config();
        auto& o = v->as_object();
        const std::pair<std::string_view, bool*> flags[] = {
            {"reject_duplicate_tag_add", &b.reject_duplicate_tag_add},
            {"reject_absent_tag_remove", &b.reject_absent_tag_remove},
            {"reject_unknown_tag", &b.reject_unknown_tag},
            {"unknown_conversation_html", &b.unknown_conversation_html},
            {"reject_fb_id_assignee", &b.reject_fb_id_assignee},
            {"reject_empty_assign", &b.reject_empty_assign},
            {"round_robin_missing_key_clears", &b.round_robin_missing_key_clears},
            {"accept_access_token_alias", &b.accept_access_token_alias},
            {"errors_as_200", &b.errors_as_200},
            {"multi_type_or", &b.multi_type_or},
            {"cursor_outside_filter_empty", &b.cursor_outside_filter_empty},
            {"rest_conversation_version", &b.rest_conversation_version},
            {"accept_unknown_content_ids", &b.accept_unknown_content_ids},
            {"allow_repeat_private_reply", &b.allow_repeat_private_reply}};
        for (auto& [k, x] : o) {
            if (k == "invalid_token_status") {
                // A final status a client can read: 1xx would not end the exchange.
                auto n = int_in(x, 200, 599);
                if (!n) return bad("invalid_token_status must be an HTTP status from 200 to 599");
                b.invalid_token_status = static_cast<unsigned>(*n);
                continue;
            }
            auto f = std::find_if(std::begin(flags), std::end(flags), [&](auto& p) { return p.first == k; });
            if (f == std::end(flags)) return bad("unknown field " + std::string(k));
            if (!x.is_bool()) return bad(std::string(k) + " must be true or false");
            *f->second = x.as_bool();
        }
        model.behaviour_config() = b;
        return ok();
    }
    if (s.size() >= 2 && is(1, "journal")) {
        if (s.size() == 2 && get) {
            std::uint64_t after;
            std::size_t limit;
            if (auto e = paging(after, limit)) return *e;
            return json_response(200, page_of_journal(after, limit));
        }
        if (s.size() == 2 && del) {
            journal.clear();
            journal_bytes = 0;
            return ok();
        }
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
        std::uint64_t after;
        std::size_t limit;
        if (auto e = paging(after, limit)) return *e;
        return json_response(200, page_of_events(after, limit));
    }
    if (s.size() == 3 && is(1, "time") && is(2, "advance") && post) {
        auto* vc = dynamic_cast<virtual_clock*>(&clk);
        if (!vc) return error_response(409, "the simulator runs on real time");
        constexpr std::uint64_t most = 100ull * 365 * 24 * 3600 * 1000; // a century: no clock overflow
        auto n = uint_param(param("ms"), most);
        if (!n) return bad("ms must be an integer from 0 to " + std::to_string(most));
        vc->advance(std::chrono::milliseconds(*n));
        return ok({{"t", since_start()}});
    }
    if (s.size() >= 3 && is(1, "pages")) {
        const std::string& pid = s[2];
        if (s.size() == 4 && is(3, "messages") && post) {
            auto v = body();
            if (!v || !v->is_object()) return bad("expected a JSON object");
            auto& o = v->as_object();
            if (auto k = unknown_field(o, {"psid", "name", "text", "type", "conversation_id", "post_id"}))
                return bad("unknown field " + *k);
            for (auto& [k, x] : o)
                if (!x.is_string()) return bad(std::string(k) + " must be a string");
            customer_message m;
            auto str = [&](std::string_view k) -> std::optional<std::string> {
                auto* x = o.if_contains(k);
                return x ? std::optional<std::string>(x->as_string()) : std::nullopt;
            };
            m.psid = str("psid").value_or("");
            if (m.psid.empty()) return bad("psid is required");
            m.name = str("name").value_or("Khách hàng");
            m.text = str("text").value_or("");
            m.type = str("type").value_or("INBOX");
            if (m.type != "INBOX" && m.type != "COMMENT") return bad("type must be INBOX or COMMENT");
            m.conversation_id = str("conversation_id");
            m.post_id = str("post_id");
            auto out = model.inject(pid, m, clk.system_now());
            publish(out.events);
            return out.resp;
        }
        if (s.size() == 5 && is(3, "users") && post) {
            auto v = body();
            if (!v || !v->is_object()) return bad("expected a JSON object");
            auto& o = v->as_object();
            if (auto k = unknown_field(o, {"status", "is_online"})) return bad("unknown field " + *k);
            std::optional<std::string> status;
            std::optional<bool> online;
            if (auto* x = o.if_contains("status")) {
                if (!x->is_string()) return bad("status must be a string");
                status = std::string(x->as_string());
            }
            if (auto* x = o.if_contains("is_online")) {
                if (!x->is_bool()) return bad("is_online must be true or false");
                online = x->as_bool();
            }
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

namespace {
json::object journal_entry_json(const journal_entry& e) {
    return {{"seq", e.seq},     {"method", e.method}, {"path", e.path},   {"body", e.body}, {"status", e.status},
            {"route", e.route}, {"page", e.page},     {"fault", e.fault}, {"t", e.t},       {"wall", e.wall}};
}

// One page of a seq-ordered deque: entries after `after`, at most `limit` of them and about
// page_byte_budget bytes (at least one), so no single answer is unbounded.
template <class Deque, class Seq, class Bytes, class Emit>
json::object page_of(const Deque& d, std::uint64_t after, std::size_t limit, Seq seq, Bytes bytes, Emit emit,
                     std::string_view key, std::size_t dropped) {
    auto it = std::partition_point(d.begin(), d.end(), [&](auto& x) { return seq(x) <= after; });
    json::array a;
    std::size_t used = 0;
    std::uint64_t last = after;
    for (; it != d.end() && a.size() < limit && (a.empty() || used + bytes(*it) <= page_byte_budget); ++it) {
        used += bytes(*it);
        last = seq(*it);
        a.push_back(emit(*it));
    }
    return {{key, std::move(a)}, {"next_after", last}, {"more", it != d.end()}, {"dropped", dropped}};
}
} // namespace

json::value server::impl::page_of_journal(std::uint64_t after, std::size_t limit) const {
    return page_of(
        journal, after, limit, [](auto& e) { return e.seq; }, [](auto& e) { return entry_bytes(e); },
        [](auto& e) { return json::value(journal_entry_json(e)); }, "journal", journal_dropped);
}

json::value server::impl::page_of_events(std::uint64_t after, std::size_t limit) const {
    return page_of(
        events, after, limit, [](auto& e) { return e.seq; }, [](auto& e) { return e.bytes; },
        [](auto& e) { return e.ev.body; }, "events", events_dropped);
}

server::server(asio::any_io_executor ex, clock& clk, server_options opts)
    : impl_(std::make_shared<impl>(ex, clk, std::move(opts))) {
    std::string err;
    impl_->load_fixture(sample_fixture(), err);
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
    i.webhooks.stop();
    boost::system::error_code ec;
    i.acceptor.close(ec);
    i.accept_pause.cancel();
    for (auto& [id, c] : i.conns)
        c.stream->socket().close(ec);
    i.conns.clear();
}

unsigned short server::port() const { return impl_->acceptor.local_endpoint().port(); }
std::string server::base_url() const { return "http://" + impl_->opts.host + ":" + std::to_string(port()); }
world& server::model() noexcept { return impl_->model; }
fault_injector& server::faults() noexcept { return impl_->faults; }
std::vector<journal_entry> server::journal() const { return {impl_->journal.begin(), impl_->journal.end()}; }
void server::clear_journal() {
    impl_->journal.clear();
    impl_->journal_bytes = 0;
}
std::vector<emitted_event> server::events() const {
    std::vector<emitted_event> out;
    for (auto& e : impl_->events)
        out.push_back(e.ev);
    return out;
}
std::size_t server::connections_accepted() const noexcept { return impl_->accepted; }
std::size_t server::connections_open() const noexcept { return impl_->sessions(); }
std::size_t server::connections_refused() const noexcept { return impl_->refused; }
std::size_t server::accept_errors() const noexcept { return impl_->accept_errors; }
std::chrono::milliseconds server::accept_backoff() const noexcept { return impl_->backoff; }
std::size_t server::request_bytes_buffered() const noexcept {
    std::size_t n = 0;
    for (auto& [id, c] : impl_->conns)
        n += c.body_bytes;
    return n;
}
std::size_t server::journal_dropped() const noexcept { return impl_->journal_dropped; }
std::size_t server::events_dropped() const noexcept { return impl_->events_dropped; }
std::size_t server::parked() const noexcept { return impl_->parked; }
void server::on_event(std::function<void(const emitted_event&)> f) { impl_->on_event = std::move(f); }
webhook_dispatcher& server::webhooks() noexcept { return impl_->webhooks; }

json::value server::journal_json() const { return journal_to_json(impl_->journal); }

json::value journal_to_json(const std::deque<journal_entry>& journal) {
    json::array a;
    for (auto& e : journal)
        a.push_back(journal_entry_json(e));
    return json::object{{"journal", std::move(a)}};
}

bool server::load_fixture(const json::value& fx, std::string& err) { return impl_->load_fixture(fx, err); }

namespace {
bool read_file(const std::string& path, std::string& out, std::string& err) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        err = "cannot open " + path;
        return false;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}
// A JSON file, read and parsed; errors name the file.
bool read_json_file(const std::string& path, json::value& out, std::string& err) {
    std::string text;
    if (!read_file(path, text, err)) return false;
    boost::system::error_code ec;
    out = json::parse(text, ec);
    if (ec) {
        err = path + ": " + ec.message();
        return false;
    }
    return true;
}
} // namespace

bool server::load_fixture_file(const std::string& path, std::string& err) {
    json::value v;
    return read_json_file(path, v, err) && load_fixture(v, err);
}

json::value server::snapshot() const { return impl_->model.snapshot(); }

bool server::restore(const json::value& snap, std::string& err) {
    if (!impl_->model.restore(snap, err)) return false;
    impl_->note_fixture_secrets(snap);
    impl_->note_model_secrets();
    return true;
}

bool server::write_snapshot_to(const impl& i, std::string& err) {
    if (i.opts.state_file.empty()) {
        err = "no state file configured";
        return false;
    }
    // Written beside the target and renamed over it, so a crash mid-write leaves the old one.
    const std::string tmp = i.opts.state_file + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << json::serialize(i.model.snapshot());
        out.flush();
        if (!out) {
            err = "cannot write " + tmp;
            return false;
        }
    }
    if (std::rename(tmp.c_str(), i.opts.state_file.c_str()) != 0) {
        err = "cannot rename " + tmp + " to " + i.opts.state_file;
        std::remove(tmp.c_str());
        return false;
    }
    return true;
}

bool server::write_snapshot(std::string& err) const { return write_snapshot_to(*impl_, err); }

bool server::read_snapshot(std::string& err) {
    const auto& path = impl_->opts.state_file;
    if (path.empty()) return true;
    std::ifstream probe(path);
    if (!probe) return true; // first run: nothing saved yet
    json::value v;
    if (!read_json_file(path, v, err)) return false;
    if (!restore(v, err)) {
        err = path + ": " + err;
        return false;
    }
    return true;
}

} // namespace pancake::sim
