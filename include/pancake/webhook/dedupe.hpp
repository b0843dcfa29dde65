// What the processor remembers between deliveries: which events it already handled (within a
// time window), and the last conversation version it applied. Both sit behind narrow
// interfaces so a shared store (Redis, SQL) can back several receivers behind a load balancer;
// the in-memory ones here are bounded and run on the injectable clock.
#pragma once

#include <pancake/clock.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pancake::webhook {

/// Keys of handled events. seen() then remember() is race-free because the processor
/// serialises events with the same serial key, and a repeat always has the same one.
class dedupe_store {
public:
    virtual ~dedupe_store() = default;
    virtual bool seen(std::string_view key) = 0;
    virtual void remember(std::string_view key) = 0;
};

/// Remembers keys for `window` (on the clock), and at most `max_keys` of them (oldest go first).
class memory_dedupe_store final : public dedupe_store {
public:
    explicit memory_dedupe_store(clock& clk, clock::duration window = std::chrono::hours(24),
                                 std::size_t max_keys = 1'000'000)
        : clk_(clk), window_(window), max_keys_(max_keys) {}

    bool seen(std::string_view key) override {
        expire();
        return keys_.contains(std::string(key));
    }
    void remember(std::string_view key) override {
        expire();
        auto [it, fresh] = keys_.emplace(std::string(key), clk_.now());
        if (!fresh) return;
        order_.push_back(&*it);
        while (keys_.size() > max_keys_)
            drop_oldest();
    }
    std::size_t size() const noexcept { return keys_.size(); }

private:
    using map = std::unordered_map<std::string, clock::time_point>;
    void drop_oldest() {
        std::string key = order_.front()->first; // a copy: erase() must not read the dying node
        order_.pop_front();
        keys_.erase(key);
    }
    void expire() {
        const auto now = clk_.now();
        while (!order_.empty() && now - order_.front()->second > window_)
            drop_oldest();
    }

    clock& clk_;
    clock::duration window_;
    std::size_t max_keys_;
    map keys_;                                 // node-based: pointers stay valid
    std::deque<const map::value_type*> order_; // insertion order, for expiry
};

/// The last `version` applied per conversation: older or equal updates are stale.
class version_store {
public:
    virtual ~version_store() = default;
    virtual std::optional<std::int64_t> last(std::string_view conversation) = 0;
    virtual void applied(std::string_view conversation, std::int64_t version) = 0;
};

class memory_version_store final : public version_store {
public:
    explicit memory_version_store(std::size_t max_conversations = 1'000'000) : max_(max_conversations) {}

    std::optional<std::int64_t> last(std::string_view conversation) override {
        auto it = last_.find(std::string(conversation));
        if (it == last_.end()) return std::nullopt;
        return it->second;
    }
    void applied(std::string_view conversation, std::int64_t version) override {
        auto [it, fresh] = last_.emplace(std::string(conversation), version);
        if (!fresh) {
            it->second = std::max(it->second, version);
            return;
        }
        order_.push_back(&it->first);
        if (last_.size() > max_) { // forget the conversation seen longest ago
            std::string oldest = *order_.front();
            order_.pop_front();
            last_.erase(oldest);
        }
    }

private:
    std::size_t max_;
    std::unordered_map<std::string, std::int64_t> last_;
    std::deque<const std::string*> order_;
};

} // namespace pancake::webhook
