#include "exit_codes.hpp"

#include <pancake/workflow/error.hpp>
#include <pancake/workflow/state_error.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

namespace pancake::cli {

int exit_code_for(const error_code& ec, const diagnostics* diag) {
    if (!ec) return exit_ok;
    if (diag && (diag->api_error_code() == 102 || diag->http_status() == 401)) return exit_auth;
    if (ec.category() == pancake_category()) {
        switch (static_cast<errc>(ec.value())) {
        case errc::invalid_token:
        case errc::unauthorized:
            return exit_auth;
        case errc::not_found:
            return exit_not_found;
        case errc::timeout:
        case errc::connection_lost:
            return exit_network;
        case errc::invalid_argument:
            return exit_usage;
        default:
            return exit_api;
        }
    }
    if (ec.category() == workflow::state_category()) {
        switch (static_cast<workflow::state_error>(ec.value())) {
        case workflow::state_error::unknown_tag:
        case workflow::state_error::unknown_staff:
        case workflow::state_error::conversation_not_found:
        case workflow::state_error::ambiguous_name:
            return exit_not_found;
        case workflow::state_error::change_not_applied:
            return exit_api;
        }
        return exit_api;
    }
    if (ec == boost::asio::error::operation_aborted) return exit_interrupted;
    if (ec.category() == boost::system::system_category() || ec.category() == boost::system::generic_category() ||
        ec.category() == boost::asio::error::get_netdb_category() ||
        ec.category() == boost::asio::error::get_addrinfo_category() ||
        ec.category() == boost::asio::error::get_misc_category() ||
        ec.category() == boost::asio::error::get_ssl_category() ||
        ec.category() == boost::asio::ssl::error::get_stream_category())
        return exit_network;
    return exit_api;
}

const char* exit_kind(int code) {
    switch (code) {
    case exit_ok:
        return "ok";
    case exit_api:
        return "api";
    case exit_usage:
        return "usage";
    case exit_auth:
        return "auth";
    case exit_not_found:
        return "not_found";
    case exit_partial:
        return "partial";
    case exit_interrupted:
        return "interrupted";
    case exit_network:
        return "network";
    }
    return "error";
}

failure::failure(const error_code& ec, const diagnostics* diag, const std::string& doing)
    : code_(exit_code_for(ec, diag)), ec_(ec) {
    message_ = doing + ": " + ec.message();
    if (diag) {
        http_status_ = diag->http_status();
        // to_string() labels the server's text and redacts the token in the URL.
        auto d = diag->to_string();
        if (!d.empty()) message_ += " (" + d + ")";
    }
}

} // namespace pancake::cli
