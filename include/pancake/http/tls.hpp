// TLS defaults: the system CA store, peer verification and (per connection) SNI and host-name
// verification, which is what talking to pages.fm needs.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <memory>

namespace pancake::http {

/// The system CA store with peer verification, as a client should default to.
inline std::shared_ptr<boost::asio::ssl::context> default_tls_context() {
    auto ctx = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
    ctx->set_default_verify_paths();
    ctx->set_verify_mode(boost::asio::ssl::verify_peer);
    return ctx;
}

} // namespace pancake::http
