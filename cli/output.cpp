#include "output.hpp"

#include "exit_codes.hpp"

#include <boost/json/serialize.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace pancake::cli {

std::string output::scrub(std::string s) const {
    if (secret_.empty()) return s;
    for (auto pos = s.find(secret_); pos != std::string::npos; pos = s.find(secret_, pos))
        s.replace(pos, secret_.size(), "REDACTED");
    return s;
}

void output::document(const boost::json::value& doc) const {
    std::cout << scrub(boost::json::serialize(doc)) << "\n" << std::flush;
}

std::size_t display_width(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

void output::table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) const {
    if (json_) return;
    std::vector<std::size_t> width(header.size(), 0);
    auto measure = [&](const std::vector<std::string>& r) {
        for (std::size_t i = 0; i < r.size() && i < width.size(); ++i)
            width[i] = std::max(width[i], display_width(r[i]));
    };
    measure(header);
    for (auto& r : rows)
        measure(r);
    auto print = [&](const std::vector<std::string>& r) {
        std::string out;
        for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) {
            out += r[i];
            if (i + 1 < r.size()) out.append(width[i] - display_width(r[i]) + 2, ' ');
        }
        std::cout << scrub(out) << "\n";
    };
    print(header);
    for (auto& r : rows)
        print(r);
    std::cout << std::flush;
}

void output::line(const std::string& text) const {
    if (!json_) std::cout << scrub(text) << "\n" << std::flush;
}

void output::note(const std::string& text) const {
    if (!json_ && !quiet_) std::cerr << scrub(text) << "\n" << std::flush;
}

void output::error(int exit_code, const std::string& message, unsigned http_status) const {
    if (json_) {
        boost::json::object e{{"exit_code", exit_code}, {"kind", exit_kind(exit_code)}, {"message", scrub(message)}};
        if (http_status) e["http_status"] = http_status;
        std::cerr << boost::json::serialize(boost::json::object{{"error", std::move(e)}}) << "\n" << std::flush;
    } else {
        std::cerr << "pancake: " << scrub(message) << "\n" << std::flush;
    }
}

// ---- progress ----

progress::progress(std::string label, std::size_t total, bool enabled, stats_fn stats)
    : label_(std::move(label)), total_(total), enabled_(enabled && total > 0), tty_(::isatty(STDERR_FILENO) == 1),
      stats_(std::move(stats)), base_(stats_ ? stats_() : client_stats{}),
      every_(std::max<std::size_t>(10, total / 10)), start_(std::chrono::steady_clock::now()), last_(start_) {}

double progress::rate() const {
    const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    return secs > 0 ? static_cast<double>(this_run_) / secs : 0.0;
}

std::string progress::status_line() const {
    const double r = rate();
    std::string eta = "--";
    if (r > 0 && total_ >= done_) {
        const auto left = static_cast<long long>(static_cast<double>(total_ - done_) / r + 0.5);
        char b[32];
        std::snprintf(b, sizeof b, "%lld:%02lld", left / 60, left % 60);
        eta = b;
    }
    client_stats s;
    if (stats_) s = stats_();
    const std::string failed = failed_ ? "  failed " + std::to_string(failed_) : "";
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s %zu/%zu  %.1f/s  ETA %s  429s %llu  retries %llu%s", label_.c_str(), done_,
                  total_, r, eta.c_str(), static_cast<unsigned long long>(s.rate_limited - base_.rate_limited),
                  static_cast<unsigned long long>(s.retries - base_.retries), failed.c_str());
    return buf;
}

void progress::advance(std::size_t n, bool failed) {
    done_ += n;
    this_run_ += n;
    if (failed) failed_ += n;
    report(false);
}

void progress::set_counts(std::size_t done, std::size_t failed, std::size_t finished_this_run) {
    done_ = done;
    failed_ = failed;
    this_run_ = finished_this_run;
    report(false);
}

void progress::report(bool force) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (tty_) {
        if (!force && now - last_ < std::chrono::milliseconds(100)) return;
        std::cerr << "\r" << status_line() << "\x1b[K" << std::flush;
        drawn_ = true;
    } else {
        if (!force && done_ - last_reported_ < every_ && now - last_ < std::chrono::seconds(5)) return;
        std::cerr << status_line() << "\n" << std::flush;
        last_reported_ = done_;
    }
    last_ = now;
}

void progress::finish() {
    if (!enabled_) return;
    if (!tty_ && last_reported_ == done_ && done_ != 0) return; // the last line said it already
    report(true);
    if (drawn_) std::cerr << "\n" << std::flush;
}

} // namespace pancake::cli
