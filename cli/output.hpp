// What `pancake` prints: human tables on stdout, or one JSON document (--json); messages and
// errors on stderr; a progress bar for long jobs. Every line that leaves the process goes
// through scrub(), which replaces the page token should anything ever echo it.
#pragma once

#include <pancake/client_config.hpp>

#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace pancake::cli {

class output {
public:
    output(bool json, bool quiet) : json_(json), quiet_(quiet) {}

    bool json() const noexcept { return json_; }
    bool quiet() const noexcept { return quiet_; }
    /// The secret never to print.
    void set_secret(std::string s) { secret_ = std::move(s); }
    std::string scrub(std::string s) const;

    /// --json: the command's one document on stdout.
    void document(const boost::json::value& doc) const;
    /// Human mode: a table (columns padded by display width) on stdout.
    void table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) const;
    /// Human mode: one line on stdout.
    void line(const std::string& text) const;
    /// Human mode, not --quiet: a remark on stderr.
    void note(const std::string& text) const;
    /// An error on stderr: JSON ({"error":{…}}) with --json, else "pancake: message".
    void error(int exit_code, const std::string& message, unsigned http_status = 0) const;

private:
    bool json_, quiet_;
    std::string secret_;
};

/// Width of UTF-8 text in columns (code points; Vietnamese in NFC is one column each).
std::size_t display_width(const std::string& s);

/// A long job's progress on stderr: on a terminal one line redrawn in place
/// (`done/total  rate/s  ETA  429s  retries`), otherwise a plain line every `every` items or
/// 5 seconds; nothing when disabled (--quiet, --json) or when there is nothing to do.
class progress {
public:
    using stats_fn = std::function<client_stats()>;
    progress(std::string label, std::size_t total, bool enabled, stats_fn stats);
    progress(const progress&) = delete;
    progress& operator=(const progress&) = delete;

    void set_total(std::size_t total) { total_ = total; }
    /// One more item done (failed or not).
    void advance(std::size_t n = 1, bool failed = false);
    /// Absolute counts, for a job that resumes: `done` and `failed` over the whole job, the rate
    /// from what this run finished.
    void set_counts(std::size_t done, std::size_t failed, std::size_t finished_this_run);
    /// The last report; ends the redrawn line.
    void finish();

    std::size_t done() const noexcept { return done_; }
    std::size_t failed() const noexcept { return failed_; }
    double rate() const;
    std::string status_line() const;

private:
    void report(bool force);

    std::string label_;
    std::size_t total_;
    bool enabled_, tty_;
    stats_fn stats_;
    client_stats base_; ///< the client's counters when the job began: 429s and retries are this job's
    std::size_t done_ = 0, failed_ = 0, this_run_ = 0, every_;
    std::size_t last_reported_ = 0;
    std::chrono::steady_clock::time_point start_, last_;
    bool drawn_ = false;
};

} // namespace pancake::cli
