// TLS: a local HTTPS server whose certificate is signed by a test CA. The client accepts it
// when that CA is configured, and rejects it with its default trust store (peer verification
// on by default).
#include <pancake/pancake.hpp>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/test/unit_test.hpp>

// The file's own namespace: the test sources compile as unity batches (tests/CMakeLists.txt).
namespace tls_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using namespace pancake;

namespace {

struct tls_server {
    asio::io_context& ioc;
    asio::ssl::context ctx{asio::ssl::context::tls_server};
    asio::ip::tcp::acceptor acc;
    std::size_t handshakes_ok = 0;

    explicit tls_server(asio::io_context& io) : ioc(io), acc(io, {asio::ip::make_address("127.0.0.1"), 0}) {
        ctx.use_certificate_chain_file(PANCAKE_TEST_DATA "/server.pem");
        ctx.use_private_key_file(PANCAKE_TEST_DATA "/server.key", asio::ssl::context::pem);
        asio::co_spawn(ioc, serve(), asio::detached);
    }
    unsigned short port() const { return acc.local_endpoint().port(); }

    asio::awaitable<void> serve() {
        constexpr auto tok = asio::as_tuple(asio::use_awaitable);
        for (;;) {
            auto [ec, sock] = co_await acc.async_accept(tok);
            if (ec) co_return;
            beast::ssl_stream<beast::tcp_stream> s(std::move(sock), ctx);
            auto [hec] = co_await s.async_handshake(asio::ssl::stream_base::server, tok);
            if (hec) continue;
            ++handshakes_ok;
            beast::flat_buffer b;
            bhttp::request<bhttp::string_body> req;
            auto [rec, n] = co_await bhttp::async_read(s, b, req, tok);
            if (rec) continue;
            bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
            res.set(bhttp::field::content_type, "application/json");
            res.body() = R"({"tags":[{"id":0,"text":"Kiểm hàng","color":"#4b5577","lighten_color":"#c9ccd6"}]})";
            res.keep_alive(false);
            res.prepare_payload();
            co_await bhttp::async_write(s, res, tok);
        }
    }
};

std::pair<error_code, std::vector<tag>> list_tags(asio::io_context& ioc, client& api) {
    std::optional<std::pair<error_code, std::vector<tag>>> out;
    api.async_list_tags(page_id("1"), [&](error_code ec, std::vector<tag> t) { out.emplace(ec, std::move(t)); });
    for (int i = 0; i < 500 && !out; ++i)
        ioc.run_one_for(std::chrono::milliseconds(20));
    BOOST_REQUIRE(out);
    return *out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(tls)

BOOST_AUTO_TEST_CASE(accepted_with_the_configured_ca_rejected_otherwise) {
    asio::io_context ioc;
    tls_server srv(ioc);
    client_config cfg;
    cfg.base_url = "https://localhost:" + std::to_string(srv.port());
    cfg.retry = retry_policy::none();
    {
        auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
        ctx->load_verify_file(PANCAKE_TEST_DATA "/ca.pem");
        ctx->set_verify_mode(asio::ssl::verify_peer);
        cfg.tls = ctx;
        client api(ioc.get_executor(), cfg);
        api.add_page(page_id("1"), "pat_tls_test_token");
        auto [ec, tags] = list_tags(ioc, api);
        BOOST_TEST(!ec, ec.message());
        BOOST_TEST(tags.size() == 1u);
    }
    {
        cfg.tls = nullptr; // the system store does not know our test CA
        client api(ioc.get_executor(), cfg);
        api.add_page(page_id("1"), "pat_tls_test_token");
        auto [ec, tags] = list_tags(ioc, api);
        BOOST_TEST(ec.failed());
        BOOST_TEST(ec != errc::connection_lost); // a certificate failure is final, not retried
        BOOST_TEST(srv.handshakes_ok == 1u);
    }
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace tls_test
