// Where a round robin remembers whose turn it was: the id of the user it assigned last, per page
// (and per lane, see below). An id rather than an index, because the staff list changes under
// it: people join, leave and go offline, and an index would then point at someone else.
//
// The interface is two calls so that a shared store (Redis, SQL) can stand behind several bot
// processes. The in-memory store is for tests and single-process bots that may restart with a
// fresh rotation; file_cursor_store.hpp keeps it on disk.
#pragma once

#include <pancake/ids.hpp>

#include <boost/system/result.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace pancake::workflow {

template <class T>
using store_result = boost::system::result<T>;

class cursor_store {
public:
    virtual ~cursor_store() = default;

    /// The user last assigned on `page`, or nullopt before the first assignment. `lane` keeps
    /// separate rotations on one page apart (the rule-based assigner gives each rule its own, so
    /// a VIP rotation is not skewed by the general one); "" is the page's main rotation.
    store_result<std::optional<user_id>> load(const page_id& page, std::string_view lane = {}) {
        return do_load(page, lane);
    }
    /// Records `last` as the user last assigned on `page` (in `lane`).
    store_result<void> save(const page_id& page, const user_id& last, std::string_view lane = {}) {
        return do_save(page, lane, last);
    }

protected:
    // Non-virtual public calls with default arguments, virtual hooks without: a default argument
    // on a virtual function binds to the static type, which invites surprises in overrides.
    virtual store_result<std::optional<user_id>> do_load(const page_id& page, std::string_view lane) = 0;
    virtual store_result<void> do_save(const page_id& page, std::string_view lane, const user_id& last) = 0;
};

/// Cursors in memory, guarded by a mutex (one store may serve several threads).
class memory_cursor_store final : public cursor_store {
private:
    store_result<std::optional<user_id>> do_load(const page_id& page, std::string_view lane) override {
        std::lock_guard lk(mu_);
        auto it = cursors_.find(key(page, lane));
        if (it == cursors_.end()) return std::optional<user_id>();
        return std::optional<user_id>(it->second);
    }
    store_result<void> do_save(const page_id& page, std::string_view lane, const user_id& last) override {
        std::lock_guard lk(mu_);
        cursors_[key(page, lane)] = last;
        return {};
    }

    static std::pair<std::string, std::string> key(const page_id& page, std::string_view lane) {
        return {page.value(), std::string(lane)};
    }
    std::mutex mu_;
    std::map<std::pair<std::string, std::string>, user_id> cursors_;
};

} // namespace pancake::workflow
