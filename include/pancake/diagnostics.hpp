// What went wrong, beyond the error_code: the HTTP status, the API's own message and error_code,
// how many attempts were made, the URL (token redacted), and where a JSON decode failed.
// Server text is untrusted: it is kept in its own fields and only ever printed labelled.
#pragma once

#include <pancake/detail/redact.hpp>
#include <pancake/error.hpp>

#include <optional>
#include <string>

namespace pancake {

class diagnostics {
public:
    unsigned http_status() const noexcept { return http_status_; }
    /// The `message` field the API returned, verbatim (untrusted).
    const std::string& api_message() const noexcept { return api_message_; }
    /// The `error_code` field the API returned (102 = invalid access token), if any.
    std::optional<long long> api_error_code() const noexcept { return api_error_code_; }
    /// How many times the request was sent (1 = no retries).
    unsigned attempts() const noexcept { return attempts_; }
    /// The request URL with every token replaced by REDACTED.
    const std::string& url() const noexcept { return url_; }
    /// The first bytes of the response body (tokens redacted), for unexpected responses.
    const std::string& body_excerpt() const noexcept { return body_excerpt_; }
    /// For missing_field / wrong_field_type: where, e.g. "conversations[2].tags[0].id".
    const std::string& field_path() const noexcept { return field_path_; }
    /// A message written by this library (trusted).
    const std::string& client_message() const noexcept { return client_message_; }

    void clear() { *this = diagnostics{}; }

    /// One line for logs: every server-provided part is labelled as such.
    std::string to_string() const {
        std::string s;
        auto add = [&](std::string_view k, std::string_view v) {
            if (v.empty()) return;
            if (!s.empty()) s += "; ";
            s.append(k).append(v);
        };
        add("", client_message_);
        if (http_status_) add("http status ", std::to_string(http_status_));
        if (attempts_ > 1) add("attempts ", std::to_string(attempts_));
        add("url ", url_);
        add("field ", field_path_);
        add("server message: ", api_message_);
        if (api_error_code_) add("server error_code: ", std::to_string(*api_error_code_));
        return s;
    }

    // Setters used by the library (and by tests building expectations).
    void set_http_status(unsigned s) noexcept { http_status_ = s; }
    void set_api_message(std::string m) { api_message_ = std::move(m); }
    void set_api_error_code(std::optional<long long> c) noexcept { api_error_code_ = c; }
    void set_attempts(unsigned n) noexcept { attempts_ = n; }
    /// Always stores the redacted form.
    void set_url(std::string_view u) { url_ = detail::redact_url(u); }
    /// Redacts before cutting (in every spelling the server may echo), so no part of the secret
    /// survives at the cut.
    void set_body_excerpt(std::string_view body, std::string_view secret = {}) {
        body_excerpt_ = detail::redacted_excerpt(body, secret, max_body_excerpt);
    }
    static constexpr std::size_t max_body_excerpt = 256;
    void set_field_path(std::string p) { field_path_ = std::move(p); }
    void set_client_message(std::string m) { client_message_ = std::move(m); }

private:
    unsigned http_status_ = 0;
    std::string api_message_;
    std::optional<long long> api_error_code_;
    unsigned attempts_ = 0;
    std::string url_;
    std::string body_excerpt_;
    std::string field_path_;
    std::string client_message_;
};

/// The exception thrown by the throwing helpers: what() holds the error and the library's own
/// text only; the server's text stays in get_diagnostics().
class error_with_diagnostics : public boost::system::system_error {
public:
    error_with_diagnostics(const error_code& ec, diagnostics d)
        : system_error(ec, d.client_message().empty() ? d.url() : d.client_message() + " (" + d.url() + ")"),
          diag_(std::move(d)) {}
    const diagnostics& get_diagnostics() const noexcept { return diag_; }

private:
    diagnostics diag_;
};

} // namespace pancake
