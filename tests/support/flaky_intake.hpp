// An intake in front of another that misbehaves on a schedule: every `fail_every`-th push is
// refused (the receiver answers 503) and every `slow_every`-th one completes only after `slow`
// on the clock (the sender times out although the event was stored). How the webhook tests and
// the deterministic harness make the receiver fail.
#pragma once

#include <pancake/clock.hpp>
#include <pancake/webhook/intake.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/post.hpp>

#include <chrono>

namespace test {

class flaky_intake final : public pancake::webhook::intake {
public:
    flaky_intake(boost::asio::any_io_executor ex, pancake::clock& clk, pancake::webhook::intake& inner)
        : ex_(std::move(ex)), clk_(clk), inner_(inner) {
        inner_.on_ready([this] { notify(); });
    }
    unsigned fail_every = 0, slow_every = 0;
    bool fail_all = false;
    std::chrono::milliseconds slow{6000};
    std::uint64_t refused = 0, slowed = 0;
    std::size_t holding = 0; // slow pushes waiting on the clock right now

    void push(std::string body, push_handler h) override {
        ++n_;
        if (fail_all || (fail_every && n_ % fail_every == 0)) {
            ++refused;
            boost::asio::post(ex_, boost::asio::append(std::move(h), make_error_code(pancake::errc::queue_full), 0));
            return;
        }
        if (slow_every && n_ % slow_every == 0) {
            ++slowed;
            ++holding;
            clk_.async_wait_for(ex_, slow,
                                [this, body = std::move(body), h = std::move(h)](pancake::error_code) mutable {
                                    --holding;
                                    inner_.push(std::move(body), std::move(h));
                                });
            return;
        }
        inner_.push(std::move(body), std::move(h));
    }
    std::optional<pancake::webhook::intake_record> next() override { return inner_.next(); }
    void commit(std::uint64_t seq, std::string_view key) override { inner_.commit(seq, key); }
    std::size_t pending() const override { return inner_.pending(); }
    std::size_t capacity() const override { return inner_.capacity(); }

private:
    boost::asio::any_io_executor ex_;
    pancake::clock& clk_;
    pancake::webhook::intake& inner_;
    std::uint64_t n_ = 0;
};

} // namespace test
