// A durable intake: an append-only journal file. push() completes only after the record is on
// disk (fdatasync), so every delivery the receiver acknowledged survives a crash (kill -9, power
// loss) and is processed after a restart. Writes are batched (group commit) on a writer thread:
// one fdatasync covers every record pushed meanwhile, which is what makes thousands of events
// per second with millisecond acknowledgements possible.
//
// Journal records (binary-safe, length-prefixed):
//   A <seq> <len>\n<body>\n    a delivery was accepted
//   C <seq> <len>\n<key>\n     it was processed (key: its dedupe key)
//   K 0 <len>\n<key>\n         a key remembered from before the last compaction
// A torn record at the end (crash mid-write) is dropped. The file is compacted when opened and
// whenever it grows past `compact_bytes`: pending deliveries and the recent keys are rewritten to
// a new file that atomically replaces the old one.
//
// Crash window: a handler's own side effects happen before its commit record is durable; a
// crash between the two makes the event run again after the restart. Keep effects idempotent
// (Pancake's tag, assign and read calls are) or record them through the commit.
#pragma once

#include <pancake/webhook/intake.hpp>

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/system/system_error.hpp>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>

namespace pancake::webhook {

struct file_intake_options {
    std::size_t capacity = 100'000;        ///< pending deliveries beyond this get queue_full
    std::size_t max_keys = 100'000;        ///< dedupe keys carried over compactions
    std::size_t compact_bytes = 64u << 20; ///< rewrite the journal when it grows past this
};

namespace detail {

inline void append_record(std::string& out, char type, std::uint64_t seq, std::string_view payload) {
    out += type;
    out += ' ';
    out += std::to_string(seq);
    out += ' ';
    out += std::to_string(payload.size());
    out += '\n';
    out.append(payload);
    out += '\n';
}

/// Parses a journal; returns the length of the valid prefix (a torn tail is not counted).
template <class OnRecord>
std::size_t parse_journal(std::string_view data, OnRecord on_record) {
    std::size_t pos = 0;
    while (pos < data.size()) {
        const auto eol = data.find('\n', pos);
        if (eol == std::string_view::npos) break;
        const auto head = data.substr(pos, eol - pos);
        char type = 0;
        unsigned long long seq = 0, len = 0;
        if (head.size() < 5 || std::sscanf(std::string(head).c_str(), "%c %llu %llu", &type, &seq, &len) != 3) break;
        const auto body_at = eol + 1;
        if (len > data.size() || body_at + len + 1 > data.size() || data[body_at + len] != '\n') break;
        on_record(type, static_cast<std::uint64_t>(seq), data.substr(body_at, len));
        pos = body_at + len + 1;
    }
    return pos;
}

[[noreturn]] inline void throw_errno(const std::string& what) {
    throw boost::system::system_error(error_code(errno, boost::system::generic_category()), what);
}

inline void write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const auto n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("write");
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

} // namespace detail

class file_intake final : public intake {
public:
    /// Opens (or creates) the journal, recovers pending deliveries and keys, compacts.
    /// Throws system_error when the file cannot be read or written.
    file_intake(boost::asio::any_io_executor ex, std::string path, file_intake_options o = {})
        : ex_(std::move(ex)), path_(std::move(path)), opts_(o) {
        recover();
        writer_ = std::thread([this] { write_loop(); });
    }
    ~file_intake() override {
        {
            std::lock_guard lk(mu_);
            stop_ = true;
        }
        cv_.notify_one();
        writer_.join();
        if (fd_ >= 0) ::close(fd_);
    }
    file_intake(const file_intake&) = delete;
    file_intake& operator=(const file_intake&) = delete;

    void push(std::string body, push_handler h) override {
        if (pending() >= opts_.capacity) {
            boost::asio::post(ex_, boost::asio::append(std::move(h), make_error_code(errc::queue_full), 0));
            return;
        }
        const auto seq = ++seq_;
        pending_.emplace(seq, body);
        std::string rec;
        detail::append_record(rec, 'A', seq, body);
        // Like any pending async operation, an unfinished push keeps the executor's context running.
        auto work = boost::asio::prefer(ex_, boost::asio::execution::outstanding_work.tracked);
        enqueue(std::move(rec), waiter{seq, std::move(body), std::move(h), std::move(work)});
    }
    std::optional<intake_record> next() override {
        if (ready_.empty()) return std::nullopt;
        auto r = std::move(ready_.front());
        ready_.pop_front();
        return r;
    }
    void commit(std::uint64_t seq, std::string_view key) override {
        if (!pending_.erase(seq)) return;
        remember_key(std::string(key));
        std::string rec;
        detail::append_record(rec, 'C', seq, key);
        enqueue(std::move(rec), std::nullopt);
    }
    std::vector<std::string> recovered_keys() const override { return recovered_keys_; }
    std::size_t pending() const override { return pending_.size(); }
    std::size_t capacity() const override { return opts_.capacity; }
    /// Compactions done since opening (the one at open included).
    std::size_t compactions() const noexcept { return compactions_.load(); }

private:
    struct waiter {
        std::uint64_t seq;
        std::string body;
        push_handler h;
        boost::asio::any_io_executor work;
    };
    struct batch {
        std::string bytes;
        std::vector<waiter> waiters;
    };

    void remember_key(std::string key) {
        if (key.empty()) return;
        keys_.push_back(std::move(key));
        while (keys_.size() > opts_.max_keys)
            keys_.pop_front();
    }

    std::string snapshot() const {
        std::string out;
        for (auto& k : keys_)
            detail::append_record(out, 'K', 0, k);
        for (auto& [seq, body] : pending_)
            detail::append_record(out, 'A', seq, body);
        return out;
    }

    // Runs on the caller's thread before the writer starts.
    void recover() {
        std::string data;
        if (int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
            char buf[1 << 16];
            for (;;) {
                const auto n = ::read(fd, buf, sizeof buf);
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) {
                    ::close(fd);
                    detail::throw_errno("read " + path_);
                }
                if (n == 0) break;
                data.append(buf, static_cast<std::size_t>(n));
            }
            ::close(fd);
        } else if (errno != ENOENT) {
            detail::throw_errno("open " + path_);
        }
        detail::parse_journal(data, [&](char type, std::uint64_t seq, std::string_view payload) {
            seq_ = std::max(seq_, seq);
            if (type == 'A') pending_[seq] = std::string(payload);
            if (type == 'C' && pending_.erase(seq)) remember_key(std::string(payload));
            if (type == 'K') remember_key(std::string(payload));
        });
        recovered_keys_.assign(keys_.begin(), keys_.end());
        for (auto& [seq, body] : pending_)
            ready_.push_back({seq, body});
        replace_file(snapshot());
    }

    // Writes `contents` to a new file and renames it over the journal (then syncs the folder),
    // so a crash leaves either the old journal or the new one.
    void replace_file(const std::string& contents) {
        const auto tmp = path_ + ".tmp";
        int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) detail::throw_errno("open " + tmp);
        try {
            detail::write_all(fd, contents);
            if (::fsync(fd) != 0) detail::throw_errno("fsync " + tmp);
        } catch (...) {
            ::close(fd);
            throw;
        }
        if (::rename(tmp.c_str(), path_.c_str()) != 0) {
            ::close(fd);
            detail::throw_errno("rename " + tmp);
        }
        const auto slash = path_.rfind('/');
        const auto dir = slash == std::string::npos ? std::string(".") : path_.substr(0, slash + 1);
        if (int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
            ::fsync(dfd);
            ::close(dfd);
        }
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
        if (::lseek(fd_, 0, SEEK_END) < 0) detail::throw_errno("lseek " + path_);
        ++compactions_;
    }

    void enqueue(std::string bytes, std::optional<waiter> w) {
        bytes_since_compaction_ += bytes.size();
        {
            std::lock_guard lk(mu_);
            cur_.bytes += bytes;
            if (w) cur_.waiters.push_back(std::move(*w));
            // Compaction: everything queued so far goes to the old file first, then the snapshot
            // (which already holds every pending delivery, flushed or not) replaces it.
            if (bytes_since_compaction_ > opts_.compact_bytes && !compact_) {
                pre_.bytes += std::move(cur_.bytes);
                for (auto& x : cur_.waiters)
                    pre_.waiters.push_back(std::move(x));
                cur_ = {};
                compact_ = snapshot();
                bytes_since_compaction_ = 0;
            }
        }
        cv_.notify_one();
    }

    void write_loop() {
        for (;;) {
            batch pre, cur;
            std::optional<std::string> compact;
            {
                std::unique_lock lk(mu_);
                cv_.wait(lk, [&] { return stop_ || !cur_.bytes.empty() || !pre_.bytes.empty() || compact_; });
                if (stop_ && cur_.bytes.empty() && pre_.bytes.empty() && !compact_) return;
                std::swap(pre, pre_);
                std::swap(cur, cur_);
                std::swap(compact, compact_);
            }
            error_code ec;
            try {
                flush(pre);
                if (compact) replace_file(*compact);
                flush(cur);
            } catch (const boost::system::system_error& e) {
                ec = e.code();
            }
            done(std::move(pre), ec);
            done(std::move(cur), ec);
        }
    }

    void flush(const batch& b) {
        if (b.bytes.empty()) return;
        detail::write_all(fd_, b.bytes);
        if (::fdatasync(fd_) != 0) detail::throw_errno("fdatasync " + path_);
    }

    // Back on the intake's executor: the records are durable; hand them out and acknowledge.
    // (Destroy the intake only after its executor has stopped running handlers.)
    void done(batch b, error_code ec) {
        if (b.waiters.empty()) return;
        boost::asio::post(ex_, [this, ws = std::move(b.waiters), ec]() mutable {
            for (auto& w : ws) {
                if (ec) {
                    pending_.erase(w.seq);
                    std::move(w.h)(ec, 0);
                    continue;
                }
                ready_.push_back({w.seq, std::move(w.body)});
                std::move(w.h)(error_code{}, w.seq);
            }
            if (!ec) notify();
        });
    }

    boost::asio::any_io_executor ex_;
    std::string path_;
    file_intake_options opts_;
    int fd_ = -1;
    // Owned by the executor's thread.
    std::uint64_t seq_ = 0;
    std::map<std::uint64_t, std::string> pending_; // accepted, not committed
    std::deque<intake_record> ready_;              // durable, not handed out
    std::deque<std::string> keys_;
    std::vector<std::string> recovered_keys_;
    std::size_t bytes_since_compaction_ = 0;
    std::atomic<std::size_t> compactions_ = 0; // the writer thread compacts too
    // Shared with the writer thread.
    std::mutex mu_;
    std::condition_variable cv_;
    batch pre_, cur_;
    std::optional<std::string> compact_;
    bool stop_ = false;
    std::thread writer_;
};

} // namespace pancake::webhook
