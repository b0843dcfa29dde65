#include "listener.hpp"

#include "session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace pancake::sim {

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

asio::awaitable<void> accept_loop(std::shared_ptr<server_core> core) {
    constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
    for (;;) {
        boost::system::error_code ec;
        tcp::socket sock(core->ex);
        if (core->opts.accept_fault) ec = core->opts.accept_fault();
        if (!ec) {
            auto [aec, s] = co_await core->acceptor.async_accept(use_tuple);
            ec = aec;
            sock = std::move(s);
        }
        if (core->stopped || ec == asio::error::operation_aborted) co_return;
        if (ec) {
            // At the descriptor limit (EMFILE) accept fails at once, every time: pause and
            // retry, doubling the pause, so the open connections keep being served.
            ++core->accept_errors;
            core->backoff =
                std::clamp(core->backoff * 2, std::chrono::milliseconds(5), std::chrono::milliseconds(1000));
            core->accept_pause.expires_after(core->backoff);
            co_await core->accept_pause.async_wait(use_tuple);
            if (core->stopped) co_return;
            continue;
        }
        core->backoff = {};
        start_connection(core, std::move(sock));
    }
}

} // namespace

void start_listener(const std::shared_ptr<server_core>& core) {
    tcp::endpoint ep(asio::ip::make_address(core->opts.host), core->opts.port);
    core->acceptor.open(ep.protocol());
    core->acceptor.set_option(asio::socket_base::reuse_address(true));
    core->acceptor.bind(ep);
    core->acceptor.listen();
    core->stopped = false;
    asio::co_spawn(core->ex, accept_loop(core), asio::detached);
}

} // namespace pancake::sim
