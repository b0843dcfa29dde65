// A multipart/form-data body with one file part (RFC 7578), as upload_contents takes it.
//
// The file is read straight into its place in the body, so a large file is held once; the
// boundary is derived from the content and checked not to occur in it (deterministic: the same
// upload gives the same bytes).
#pragma once

#include <pancake/detail/fnv1a.hpp>
#include <pancake/error.hpp>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

namespace pancake::http {

struct multipart_part {
    std::string field = "file";
    std::string filename;     ///< sent in Content-Disposition; `"`, `\` escaped, CR/LF refused
    std::string content_type; ///< empty: guessed from the file name's extension
};

/// The media type of a file name's extension (the formats Pancake accepts); else
/// application/octet-stream.
inline std::string_view guess_content_type(std::string_view filename) noexcept {
    auto dot = filename.rfind('.');
    if (dot == std::string_view::npos) return "application/octet-stream";
    std::string ext;
    for (char c : filename.substr(dot + 1))
        ext += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    struct entry {
        std::string_view ext, type;
    };
    static constexpr entry table[] = {
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"png", "image/png"},
        {"gif", "image/gif"},
        {"webp", "image/webp"},
        {"mp4", "video/mp4"},
        {"mov", "video/quicktime"},
        {"webm", "video/webm"},
        {"mp3", "audio/mpeg"},
        {"m4a", "audio/mp4"},
        {"ogg", "audio/ogg"},
        {"wav", "audio/wav"},
        {"aac", "audio/aac"},
        {"pdf", "application/pdf"},
        {"txt", "text/plain"},
        {"csv", "text/csv"},
        {"zip", "application/zip"},
        {"doc", "application/msword"},
        {"xls", "application/vnd.ms-excel"},
        {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    };
    for (auto& e : table)
        if (e.ext == ext) return e.type;
    return "application/octet-stream";
}

class multipart_body {
public:
    /// The Content-Type header value ("multipart/form-data; boundary=…").
    const std::string& content_type() const noexcept { return content_type_; }
    std::string& body() noexcept { return body_; }
    std::string take() && { return std::move(body_); }

    /// From bytes in memory. Fails (invalid_argument) on a file name with CR, LF or NUL.
    static error_code from_bytes(const multipart_part& p, std::string_view data, multipart_body& out) {
        if (auto ec = out.begin(p, data.size())) return ec;
        out.body_.replace(out.data_at_, data.size(), data);
        out.finish();
        return {};
    }

    /// From a file, read into the body in place. Fails with the system's error when the file
    /// cannot be read.
    static error_code from_file(const multipart_part& p, const std::filesystem::path& path, multipart_body& out) {
        std::error_code fec;
        const auto size = std::filesystem::file_size(path, fec);
        if (fec) return error_code(fec.value(), boost::system::generic_category());
        multipart_part named = p;
        if (named.filename.empty()) named.filename = path.filename().string();
        if (auto ec = out.begin(named, size)) return ec;
        std::FILE* f = std::fopen(path.c_str(), "rb");
        if (!f) return error_code(errno, boost::system::generic_category());
        const auto got = std::fread(out.body_.data() + out.data_at_, 1, size, f);
        const bool bad = std::ferror(f) != 0;
        std::fclose(f);
        if (bad || got != size) return make_error_code(boost::system::errc::io_error); // changed while read
        out.finish();
        return {};
    }

private:
    static constexpr std::size_t boundary_size = 32;

    error_code begin(const multipart_part& p, std::size_t size) {
        for (std::string_view s : {std::string_view(p.filename), std::string_view(p.field)})
            if (s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos)
                return make_error_code(errc::invalid_argument);
        const std::string type = p.content_type.empty() ? std::string(guess_content_type(p.filename)) : p.content_type;
        const std::string boundary(boundary_size, '-'); // a placeholder of the final size
        std::string head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + quoted(p.field) +
                           "\"; filename=\"" + quoted(p.filename) + "\"\r\nContent-Type: " + type + "\r\n\r\n";
        const std::string tail = "\r\n--" + boundary + "--\r\n";
        body_.clear();
        body_.reserve(head.size() + size + tail.size());
        body_ = std::move(head);
        data_at_ = body_.size();
        data_size_ = size;
        body_.resize(data_at_ + size);
        body_ += tail;
        return {};
    }

    /// Picks a boundary that does not occur in the content and writes it into both places.
    void finish() {
        const std::string_view data(body_.data() + data_at_, data_size_);
        std::uint64_t seed = pancake::detail::fnv1a(data);
        std::string boundary;
        do {
            boundary = "pancake-";
            for (int i = 0; boundary.size() < boundary_size; ++i) {
                seed = pancake::detail::fnv1a(std::string_view(reinterpret_cast<const char*>(&i), sizeof i), seed);
                boundary += "0123456789abcdef"[seed & 15];
            }
        } while (data.find(boundary) != std::string_view::npos);
        body_.replace(2, boundary_size, boundary);
        body_.replace(data_at_ + data_size_ + 4, boundary_size, boundary);
        content_type_ = "multipart/form-data; boundary=" + boundary;
    }

    static std::string quoted(std::string_view s) {
        std::string out;
        for (char c : s) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        return out;
    }

    std::string body_;
    std::string content_type_;
    std::size_t data_at_ = 0, data_size_ = 0;
};

} // namespace pancake::http
