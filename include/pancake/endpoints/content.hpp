// The page's content: posts, SIP call logs, conversations from ads, and media uploads.
#pragma once

#include <pancake/endpoints/checks.hpp>
#include <pancake/endpoints/context.hpp>
#include <pancake/http/multipart.hpp>
#include <pancake/types/content.hpp>

#include <filesystem>
#include <string>
#include <variant>

namespace pancake::endpoints {

/// GET pages/{page}/posts: one page of posts (at most 30).
struct list_posts {
    using response_type = post_list;
    using result_type = post_list;
    page_id page;
    post_query query;

    detail::request to_request(const context& c) const {
        const auto& q = query;
        std::vector<http::query_param> p{{"since", std::to_string(q.since)},
                                         {"until", std::to_string(q.until)},
                                         {"page_number", std::to_string(q.page_number)},
                                         {"page_size", std::to_string(q.page_size)}};
        if (q.type) p.emplace_back("type", std::string(to_string(*q.type)));
        auto r = c.page_call(verb::get, "v1", page, {"posts"}, p);
        checks::page(r, q.page_number, q.page_size, 30);
        checks::range(r, q.since, q.until);
        return r;
    }
};

/// GET pages/{page}/sip_call_logs: one page of a SIP package's calls (at most 30).
struct list_call_logs {
    using response_type = call_log_list;
    using result_type = call_log_list;
    page_id page;
    call_log_query query;

    detail::request to_request(const context& c) const {
        const auto& q = query;
        std::vector<http::query_param> p{{"id", q.package_id},
                                         {"page_number", std::to_string(q.page_number)},
                                         {"page_size", std::to_string(q.page_size)}};
        if (q.since) p.emplace_back("since", std::to_string(*q.since));
        if (q.until) p.emplace_back("until", std::to_string(*q.until));
        auto r = c.page_call(verb::get, "v1", page, {"sip_call_logs"}, p);
        checks::id(r, q.package_id, "SIP package id");
        checks::page(r, q.page_number, q.page_size, 30);
        if (q.since && q.until) checks::range(r, *q.since, *q.until);
        return r;
    }
};

/// GET pages/{page}/export_data?action=conversations_from_ads: 60 per call from `offset`.
struct export_ad_conversations {
    using response_type = ad_conversation_list;
    using result_type = ad_conversation_list;
    page_id page;
    ad_conversation_query query;

    detail::request to_request(const context& c) const {
        const auto& q = query;
        auto r = c.page_call(verb::get, "v1", page, {"export_data"},
                             {{"action", "conversations_from_ads"},
                              {"since", std::to_string(q.since)},
                              {"until", std::to_string(q.until)},
                              {"offset", std::to_string(q.offset)}});
        checks::range(r, q.since, q.until);
        if (!r.invalid && q.offset < 0) r.invalid = validation_error{errc::invalid_argument, "negative offset"};
        return r;
    }
};

/// What to upload: bytes in memory, or a file (read once, straight into the request body).
struct upload_source {
    http::multipart_part part;                             ///< file name and content type
    std::variant<std::string, std::filesystem::path> data; ///< the bytes, or the file to read

    static upload_source bytes(std::string filename, std::string data, std::string content_type = {}) {
        return {{"file", std::move(filename), std::move(content_type)}, std::move(data)};
    }
    static upload_source file(std::filesystem::path path, std::string content_type = {}) {
        return {{"file", {}, std::move(content_type)}, std::move(path)};
    }
};

/// POST pages/{page}/upload_contents (multipart/form-data, part `file`). Not retried once sent:
/// a second upload would make a second content id.
struct upload_content {
    using response_type = upload_result;
    using result_type = upload_result;
    page_id page;
    upload_source source;

    detail::request to_request(const context& c) const {
        auto r = c.page_call(verb::post, "v1", page, {"upload_contents"}, {}, {}, idempotency::at_most_once);
        if (r.invalid) return r;
        http::multipart_body body;
        error_code ec;
        if (auto* bytes = std::get_if<std::string>(&source.data)) {
            if (source.part.filename.empty())
                ec = make_error_code(errc::invalid_argument);
            else
                ec = http::multipart_body::from_bytes(source.part, *bytes, body);
        } else {
            ec = http::multipart_body::from_file(source.part, std::get<std::filesystem::path>(source.data), body);
        }
        if (ec) {
            r.invalid = validation_error{ec, "cannot build the upload: " + ec.message()};
            return r;
        }
        r.content_type = body.content_type();
        r.body = std::move(body).take();
        return r;
    }
};

} // namespace pancake::endpoints
