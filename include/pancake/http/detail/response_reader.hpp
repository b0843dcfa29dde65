// Beast's HTTP/1.1 parser, keeping of an answer only what the client reads: the status, the body,
// and Retry-After. Beast's response_parser stores every field in a container (an allocation and a
// tree insert each) that nothing here looks at; this is Beast's documented way to parse without it
// (derive from basic_parser). Framing, limits and keep-alive stay Beast's.
#pragma once

#include <boost/beast/http/basic_parser.hpp>

#include <optional>
#include <string>

namespace pancake::http::detail {

class response_reader final : public boost::beast::http::basic_parser<false> {
public:
    unsigned status() const noexcept { return status_; }
    std::string& body() noexcept { return body_; }
    /// The first Retry-After field, raw.
    std::optional<std::string>& retry_after() noexcept { return retry_after_; }

private:
    using error_code = boost::system::error_code;
    using string_view = boost::beast::string_view;
    using field = boost::beast::http::field;
    using verb = boost::beast::http::verb;

    void on_request_impl(verb, string_view, string_view, int, error_code&) override {}
    void on_response_impl(int code, string_view, int, error_code&) override { status_ = static_cast<unsigned>(code); }
    void on_field_impl(field name, string_view, string_view value, error_code&) override {
        if (name == field::retry_after && !retry_after_) retry_after_.emplace(value.data(), value.size());
    }
    void on_header_impl(error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
        // The length is already within the body limit: Beast refuses a larger one first.
        if (length) body_.reserve(static_cast<std::size_t>(*length));
    }
    std::size_t on_body_impl(string_view s, error_code&) override {
        body_.append(s.data(), s.size());
        return s.size();
    }
    void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, string_view s, error_code&) override {
        body_.append(s.data(), s.size());
        return s.size();
    }
    void on_finish_impl(error_code&) override {}

    unsigned status_ = 0;
    std::string body_;
    std::optional<std::string> retry_after_;
};

} // namespace pancake::http::detail
