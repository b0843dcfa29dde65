// Turns per key (a conversation), without threads: an async mutex per key. async_take_turn
// completes at once when nobody holds the key, else when the holders before it are done, in the
// order they asked. A waiter cancelled before its turn leaves the queue with operation_aborted;
// once the turn is given it is the holder's, and a `turn` hands it on when destroyed, on every
// path out of the holder's coroutine.
#pragma once

#include <pancake/workflow/detail/waiter_list.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>

#include <map>
#include <memory>
#include <string>
#include <utility>

namespace pancake::workflow::detail {

class turn_queue {
public:
    using error_code = boost::system::error_code;

    explicit turn_queue(asio::any_io_executor ex) : ex_(std::move(ex)) {}

    /// Completes (void(error_code)) when the caller holds `key`; the holder must pass_turn(key).
    template <class CompletionToken>
    auto async_take_turn(std::string key, CompletionToken&& token) {
        return asio::async_initiate<CompletionToken, void(error_code)>(
            [this](auto handler, std::string key) {
                auto it = lanes_.find(key);
                if (it == lanes_.end()) {
                    lanes_.emplace(std::move(key), waiter_list<>(ex_));
                    asio::post(ex_, asio::append(std::move(handler), error_code()));
                } else {
                    it->second.add(std::move(handler));
                }
            },
            token, std::move(key));
    }

    /// Gives `key` to the next in line, or frees it.
    void pass_turn(const std::string& key) {
        auto it = lanes_.find(key);
        if (it != lanes_.end() && !it->second.complete_first(error_code())) lanes_.erase(it);
    }

    /// Keys held right now.
    std::size_t busy() const noexcept { return lanes_.size(); }

private:
    asio::any_io_executor ex_;
    std::map<std::string, waiter_list<>> lanes_; // a key is here while someone holds it
};

/// A held turn: passed on when destroyed.
class turn {
public:
    turn(std::shared_ptr<turn_queue> q, std::string key) : q_(std::move(q)), key_(std::move(key)) {}
    turn(turn&&) noexcept = default;
    turn& operator=(turn&&) = delete;
    ~turn() {
        if (q_) q_->pass_turn(key_);
    }

private:
    std::shared_ptr<turn_queue> q_;
    std::string key_;
};

} // namespace pancake::workflow::detail
