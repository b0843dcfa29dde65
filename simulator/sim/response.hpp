// What the model takes and gives: a request as the HTTP front hands it over and the answer to
// write back, plus the answer shapes Pancake uses (JSON with success:false, the SPA HTML shell).
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pancake::sim {

namespace json = boost::json;

struct request {
    std::string method; // "GET", "POST", …
    std::string target; // origin-form: "/api/public_api/v1/pages/1/tags?page_access_token=…"
    std::string body;
};

struct response {
    unsigned status = 200;
    std::string content_type = "application/json; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

/// Helpers for JSON answers shaped like Pancake's.
response json_response(unsigned status, const json::value& v);
response error_response(unsigned status, std::string_view message, std::optional<int> error_code = {});
/// The single-page app's HTML shell: what pages.fm answers for paths it does not route.
response html_response(unsigned status = 200);

} // namespace pancake::sim
