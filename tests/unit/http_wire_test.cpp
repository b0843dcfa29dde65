// The client's own HTTP/1.1 wire pieces, checked against Beast's: the request head it serializes
// (http/outgoing_request.hpp) must read, through Beast's request parser, as the message Beast would
// have written; its answer reader (http/detail/response_reader.hpp) must agree with Beast's
// response_parser on status, body, Retry-After, keep-alive and errors.
#include <pancake/http/detail/response_reader.hpp>
#include <pancake/http/endpoint.hpp>
#include <pancake/http/outgoing_request.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/ostream.hpp>
#include <boost/beast/http.hpp>
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace http_wire_test {

namespace bhttp = boost::beast::http;
using boost::system::error_code;
using pancake::http::make_outgoing_request;
using pancake::http::request_fields;
using fields_map = std::multimap<std::string, std::string>;

namespace {

struct parsed_request {
    bhttp::verb method{};
    std::string target;
    fields_map fields; ///< names lower-cased
    std::string body;
    bool keep_alive = false;
};

std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

parsed_request parse_request(const std::string& wire) {
    bhttp::request_parser<bhttp::string_body> p;
    p.eager(true);
    p.body_limit(1 << 20);
    error_code ec;
    const auto n = p.put(boost::asio::buffer(wire), ec);
    BOOST_TEST_REQUIRE(!ec.failed(), ec.message());
    BOOST_TEST_REQUIRE(p.is_done());
    BOOST_TEST(n == wire.size()); // nothing left over: no second request hidden in the bytes
    const auto& m = p.get();
    parsed_request r;
    r.method = m.method();
    r.target = std::string(m.target());
    for (const auto& f : m)
        r.fields.emplace(lower(std::string(f.name_string())), std::string(f.value()));
    r.body = m.body();
    r.keep_alive = m.keep_alive();
    return r;
}

/// What Beast writes for the same request, built the way the client built it before.
std::string beast_wire(bhttp::verb method, const std::string& target, const request_fields& f, std::string body) {
    bhttp::request<bhttp::string_body> req{method, target, 11};
    req.set(bhttp::field::host, f.host);
    req.set(bhttp::field::user_agent, f.user_agent);
    req.set(bhttp::field::accept, "application/json");
    if (method == bhttp::verb::post || method == bhttp::verb::put || !body.empty()) {
        req.set(bhttp::field::content_type, f.content_type.empty() ? "application/json" : f.content_type);
        req.body() = std::move(body);
    }
    req.keep_alive(true);
    req.prepare_payload();
    std::ostringstream os;
    os << req;
    return os.str();
}

std::string ours(bhttp::verb method, const std::string& target, const request_fields& f, std::string body) {
    auto r = make_outgoing_request(method, target, f, std::move(body));
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST((r->method == method));
    return r->head + r->body;
}

struct read_outcome {
    error_code ec;
    unsigned status = 0;
    std::string body;
    std::optional<std::string> retry_after;
    bool keep_alive = false;
};

/// Feeds `wire` to a parser as a stream would, in pieces of `step` bytes, then the end of stream.
template <class Parser>
error_code feed(Parser& p, const std::string& wire, std::size_t step) {
    boost::beast::flat_buffer buf;
    std::size_t at = 0;
    bool stalled = false;
    error_code ec;
    while (!p.is_done()) {
        if (at < wire.size()) {
            const auto k = std::min(step, wire.size() - at);
            auto b = buf.prepare(k);
            std::memcpy(b.data(), wire.data() + at, k);
            buf.commit(k);
            at += k;
        } else if (buf.size() == 0 || stalled) {
            p.put_eof(ec);
            return ec;
        }
        const auto used = p.put(buf.data(), ec);
        buf.consume(used);
        if (ec == bhttp::error::need_more) {
            ec = {};
            stalled = at == wire.size();
            continue;
        }
        if (ec) return ec;
        stalled = used == 0 && at == wire.size();
    }
    return ec;
}

read_outcome with_reader(const std::string& wire, std::size_t step, std::uint64_t limit) {
    pancake::http::detail::response_reader p;
    p.body_limit(limit);
    read_outcome r;
    r.ec = feed(p, wire, step);
    if (r.ec) return r;
    r.status = p.status();
    r.body = p.body();
    r.retry_after = p.retry_after();
    r.keep_alive = p.keep_alive();
    return r;
}

read_outcome with_beast(const std::string& wire, std::size_t step, std::uint64_t limit) {
    bhttp::response_parser<bhttp::string_body> p;
    p.body_limit(limit);
    read_outcome r;
    r.ec = feed(p, wire, step);
    if (r.ec) return r;
    const auto& m = p.get();
    r.status = m.result_int();
    r.body = m.body();
    if (auto it = m.find(bhttp::field::retry_after); it != m.end()) r.retry_after = std::string(it->value());
    r.keep_alive = m.keep_alive();
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_wire)

BOOST_AUTO_TEST_CASE(a_serialized_request_reads_as_the_message_beast_would_write) {
    const std::string target = "/api/public_api/v1/pages/1/conversations/1_2/tags?page_access_token=t%20k&x=%E1%BA%A1";
    const request_fields plain{"pages.fm", "pancake-cpp/0.1", ""};
    const request_fields multipart{"127.0.0.1:8080", "pancake-cpp/0.1", "multipart/form-data; boundary=----x1"};
    struct one_case {
        bhttp::verb method;
        request_fields f;
        std::string body;
    };
    const std::vector<one_case> cases{
        {bhttp::verb::get, plain, ""},
        {bhttp::verb::post, plain, R"({"action":"add","tag_id":"1"})"},
        {bhttp::verb::post, plain, ""}, // an empty POST still says Content-Length: 0
        {bhttp::verb::put, plain, "{}"},
        {bhttp::verb::delete_, plain, ""},
        {bhttp::verb::get, plain, "q"}, // a body on another method is sent, with its type
        {bhttp::verb::post, multipart, std::string("------x1\r\nbinary\0\r\n------x1--\r\n", 31)},
        {bhttp::verb::post, plain, std::string(100000, 'b')},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(bhttp::to_string(c.method) << " body " << c.body.size()) {
            const auto mine = parse_request(ours(c.method, target, c.f, c.body));
            const auto theirs = parse_request(beast_wire(c.method, target, c.f, c.body));
            BOOST_TEST((mine.method == c.method));
            BOOST_TEST(mine.target == target);
            BOOST_TEST(mine.body == c.body);
            BOOST_TEST(mine.keep_alive);
            BOOST_TEST((mine.method == theirs.method));
            BOOST_TEST(mine.target == theirs.target);
            BOOST_TEST(mine.body == theirs.body);
            BOOST_TEST(mine.fields == theirs.fields, "fields differ from Beast's serialization");
        }
    }
}

BOOST_AUTO_TEST_CASE(a_head_that_would_split_is_refused) {
    const request_fields ok{"pages.fm", "pancake-cpp/0.1", ""};
    BOOST_TEST(make_outgoing_request(bhttp::verb::get, "/a?b=c", ok, "").has_value());
    for (const std::string& bad : std::vector<std::string>{"/a\r\nX-Injected: 1", "/a\nb", std::string("/a\0b", 4),
                                                           "/a b", "/a\tb", "/a\x7f", "/a\x01", "a", ""})
        BOOST_TEST(!make_outgoing_request(bhttp::verb::get, bad, ok, "").has_value(), bad);
    BOOST_TEST(!make_outgoing_request(bhttp::verb::get, "/a", {"pages.fm\r\nX: 1", "ua", ""}, "").has_value());
    BOOST_TEST(!make_outgoing_request(bhttp::verb::get, "/a", {"pages.fm", "ua\n", ""}, "").has_value());
    BOOST_TEST(
        !make_outgoing_request(bhttp::verb::get, "/a", {"pages.fm", std::string("ua\0", 3), ""}, "").has_value());
    // A tab or space in a field value is fine (RFC 9110 field-value), and bytes over 0x7f too.
    BOOST_TEST(make_outgoing_request(bhttp::verb::get, "/%E1?x=\xc3\xa1", {"h", "a b\tc", ""}, "").has_value());
    BOOST_TEST(!make_outgoing_request(bhttp::verb::post, "/a", {"pages.fm", "ua", "text/plain\r\n"}, "x").has_value());
    // A line break in the body is the body's business, not the head's.
    BOOST_TEST(make_outgoing_request(bhttp::verb::post, "/a", ok, "x\r\n\r\nGET / HTTP/1.1").has_value());
}

BOOST_AUTO_TEST_CASE(the_host_field_names_the_port_unless_it_is_the_default) {
    auto host = [](std::string_view base) { return pancake::http::origin::parse(base)->host_field(); };
    BOOST_TEST(host("https://pages.fm/api/public_api/v1") == "pages.fm");
    BOOST_TEST(host("https://pages.fm:443") == "pages.fm");
    BOOST_TEST(host("https://pages.fm:8443") == "pages.fm:8443");
    BOOST_TEST(host("http://127.0.0.1:8080") == "127.0.0.1:8080");
    BOOST_TEST(host("http://localhost:80") == "localhost");
    BOOST_TEST(host("http://localhost:443") == "localhost:443");
}

BOOST_AUTO_TEST_CASE(the_answer_reader_agrees_with_beasts_response_parser) {
    const std::string big(5000, 'z');
    const std::vector<std::string> answers{
        "HTTP/1.1 200 OK\r\nServer: s\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n"
        "{\"success\":true}",
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nRetry-After: 9\r\nContent-Length: 2\r\n\r\n{}",
        "HTTP/1.1 503 Service Unavailable\r\nretry-after: Wed, 21 Oct 2015 07:28:00 GMT\r\nConnection: close\r\n"
        "Content-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;ext=1\r\n, w\r\n0\r\nTrailer: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + big,
        "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc",                     // 1.0: not kept alive
        "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end",           // body to EOF
        "HTTP/1.1 204 No Content\r\n\r\n",                                     // no body at all
        "HTTP/1.1 200 OK\r\nContent-Length: 9000\r\n\r\n" + big,               // over the limit
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1771\r\n" + big, // chunk over the limit
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfa0\r\n" + big.substr(0, 4000) + "\r\nfa0\r\n" +
            big.substr(0, 4000) + "\r\n0\r\n\r\n",                      // chunks each within, together over the limit
        "HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n",                 // malformed status
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",           // cut short
        "HTTP/1.1 200 OK\r\nX: " + std::string(9000, 'h') + "\r\n\r\n", // header over the limit
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", // conflicting lengths
    };
    for (std::size_t i = 0; i < answers.size(); ++i)
        for (std::size_t step : {std::size_t{1}, std::size_t{7}, std::size_t{65536}}) {
            BOOST_TEST_CONTEXT("answer " << i << " in pieces of " << step) {
                const auto mine = with_reader(answers[i], step, 6000);
                const auto theirs = with_beast(answers[i], step, 6000);
                BOOST_TEST(mine.ec == theirs.ec, mine.ec.message() << " / " << theirs.ec.message());
                BOOST_TEST(mine.status == theirs.status);
                BOOST_TEST(mine.body == theirs.body);
                BOOST_TEST((mine.retry_after == theirs.retry_after));
                BOOST_TEST(mine.keep_alive == theirs.keep_alive);
            }
        }
    // The comparison is not vacuous: the answers above do read as expected.
    const auto first = with_reader(answers[0], 7, 6000);
    BOOST_TEST(first.status == 200u);
    BOOST_TEST(first.body == "{\"success\":true}");
    BOOST_TEST(first.keep_alive);
    BOOST_TEST((with_reader(answers[1], 7, 6000).retry_after == std::optional<std::string>("7")));
    BOOST_TEST(with_reader(answers[3], 1, 6000).body == "hello, w");
    BOOST_TEST((with_reader(answers[8], 7, 6000).ec == bhttp::error::body_limit));
    BOOST_TEST((with_reader(answers[10], 7, 6000).ec == bhttp::error::body_limit));
    BOOST_TEST((with_reader(answers[13], 7, 6000).ec == bhttp::error::header_limit));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace http_wire_test
