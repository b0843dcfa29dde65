#include "response.hpp"

#include <boost/json/serialize.hpp>

namespace pancake::sim {

namespace {
constexpr std::string_view spa_shell =
    "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Pancake</title></head>"
    "<body><div id=\"root\"></div><script src=\"/static/js/app.js\"></script></body></html>";
} // namespace

response json_response(unsigned status, const json::value& v) {
    response r;
    r.status = status;
    r.body = json::serialize(v);
    return r;
}

response error_response(unsigned status, std::string_view message, std::optional<int> error_code) {
    json::object o{{"success", false}, {"message", message}};
    if (error_code) o["error_code"] = *error_code;
    return json_response(status, o);
}

response html_response(unsigned status) {
    response r;
    r.status = status;
    r.content_type = "text/html; charset=utf-8";
    r.body = spa_shell;
    return r;
}

} // namespace pancake::sim
