// Whole-file reads and crash-safe whole-file replacement (POSIX), for small state files.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <cerrno>
#include <fcntl.h>
#include <optional>
#include <string>
#include <string_view>
#include <unistd.h>

namespace pancake::workflow::detail {

inline boost::system::error_code last_errno() noexcept {
    return boost::system::error_code(errno, boost::system::generic_category());
}

/// The whole file, or nullopt when it does not exist (a first run, not an error).
inline boost::system::result<std::optional<std::string>> read_whole_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return std::optional<std::string>();
        return last_errno();
    }
    std::string data;
    char buf[4096];
    for (;;) {
        const auto n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            auto ec = last_errno();
            ::close(fd);
            return ec;
        }
        if (n == 0) break;
        data.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return std::optional<std::string>(std::move(data));
}

/// Replaces `path` with `contents` so that a crash at any point leaves either the old file or
/// the new one, never a torn mix: write a temporary file beside it, fsync it, rename it over
/// the old one (atomic within a file system), then fsync the folder so the rename itself lasts.
inline boost::system::error_code replace_whole_file(const std::string& path, std::string_view contents) {
    const auto tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return last_errno();
    auto fail = [&] {
        auto ec = last_errno();
        ::close(fd);
        ::unlink(tmp.c_str());
        return ec;
    };
    for (std::string_view rest = contents; !rest.empty();) {
        const auto n = ::write(fd, rest.data(), rest.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail();
        }
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
    if (::fsync(fd) != 0) return fail();
    if (::close(fd) != 0) {
        auto ec = last_errno();
        ::unlink(tmp.c_str());
        return ec;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        auto ec = last_errno();
        ::unlink(tmp.c_str());
        return ec;
    }
    const auto slash = path.rfind('/');
    const auto dir = slash == std::string::npos ? std::string(".") : path.substr(0, slash + 1);
    if (int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
        ::fsync(dfd); // best effort: some file systems refuse to sync a folder
        ::close(dfd);
    }
    return {};
}

} // namespace pancake::workflow::detail
