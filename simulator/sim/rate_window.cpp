// The rate window, and the model's use of it: a 429 answer (optionally with Retry-After) for a
// page whose budget is spent, and the counting of calls the fault injector answered.
#include "rate_window.hpp"

#include "world.hpp"

namespace pancake::sim {

bool admit_call(std::deque<steady_time>& w, steady_time now, int limit, bool fixed_window) {
    if (limit <= 0) return true;
    if (fixed_window) {
        auto bucket = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch());
        while (!w.empty() && std::chrono::floor<std::chrono::seconds>(w.front().time_since_epoch()) != bucket)
            w.pop_front();
    } else {
        while (!w.empty() && w.front() <= now - std::chrono::seconds(1))
            w.pop_front(); // window is (now-1s, now]
    }
    if (static_cast<int>(w.size()) >= limit) return false;
    w.push_back(now);
    return true;
}

response world::rate_check(page_state& p, steady_time now) {
    int limit = rate_.per_second;
    if (auto it = rate_.per_page.find(p.info.id.value()); it != rate_.per_page.end()) limit = it->second;
    if (admit_call(p.window, now, limit, rate_.fixed_window)) return {};
    auto r =
        error_response(429, "Too Many Requests: rate limit is " + std::to_string(limit) + " calls per page per second");
    if (rate_.retry_after) r.headers.emplace_back("Retry-After", "1");
    return r;
}

void world::count_call(const std::string& page, steady_time now) {
    if (auto it = pages_.find(page); it != pages_.end()) rate_check(it->second, now); // counted if under the limit
}

} // namespace pancake::sim
