// The intake: where an acknowledged delivery waits for processing. The receiver answers 200 only
// once push() has completed, so whatever the intake promises about a pushed body (kept in memory,
// or on disk) is what "acknowledged" means. Narrow on purpose: a shared queue can stand behind it.
#pragma once

#include <pancake/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/post.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pancake::webhook {

struct intake_record {
    std::uint64_t seq = 0;
    std::string body;
};

class intake {
public:
    using push_handler = boost::asio::any_completion_handler<void(error_code, std::uint64_t)>;
    virtual ~intake() = default;

    /// Stores a delivery; completes with its sequence number once stored as the intake promises,
    /// or with errc::queue_full (the receiver answers 503 and the sender retries).
    virtual void push(std::string body, push_handler h) = 0;
    /// The oldest record not yet handed out.
    virtual std::optional<intake_record> next() = 0;
    /// The record was processed; `dedupe_key` is remembered with it (durable intakes keep it
    /// across restarts, so a repeat sent after a crash is still recognised).
    virtual void commit(std::uint64_t seq, std::string_view dedupe_key) = 0;
    /// Keys committed before this run (the processor seeds its dedupe store with them).
    virtual std::vector<std::string> recovered_keys() const { return {}; }
    /// Pushed and not yet committed.
    virtual std::size_t pending() const = 0;
    virtual std::size_t capacity() const = 0;
    /// Called after each successful push (the processor wakes its workers).
    void on_ready(std::function<void()> f) { ready_ = std::move(f); }

protected:
    void notify() {
        if (ready_) ready_();
    }

private:
    std::function<void()> ready_;
};

/// Bounded, in memory: fast, and lost with the process.
class memory_intake final : public intake {
public:
    memory_intake(boost::asio::any_io_executor ex, std::size_t capacity = 10'000)
        : ex_(std::move(ex)), cap_(capacity) {}

    void push(std::string body, push_handler h) override {
        if (pending() >= cap_) {
            boost::asio::post(ex_, boost::asio::append(std::move(h), make_error_code(errc::queue_full), 0));
            return;
        }
        const auto seq = ++seq_;
        queue_.push_back({seq, std::move(body)});
        boost::asio::post(ex_, boost::asio::append(std::move(h), error_code{}, seq));
        notify();
    }
    std::optional<intake_record> next() override {
        if (queue_.empty()) return std::nullopt;
        auto r = std::move(queue_.front());
        queue_.pop_front();
        ++in_process_;
        return r;
    }
    void commit(std::uint64_t, std::string_view) override {
        if (in_process_) --in_process_;
    }
    std::size_t pending() const override { return queue_.size() + in_process_; }
    std::size_t capacity() const override { return cap_; }

private:
    boost::asio::any_io_executor ex_;
    std::size_t cap_;
    std::uint64_t seq_ = 0;
    std::deque<intake_record> queue_;
    std::size_t in_process_ = 0;
};

} // namespace pancake::webhook
