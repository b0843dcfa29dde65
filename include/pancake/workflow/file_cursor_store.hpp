// Round-robin cursors in a small JSON file, so a bot that restarts carries on with the next
// person instead of starting over at the first (which, restart after restart, would load the
// first few staff). Every save rewrites the file atomically (temporary file, fsync, rename), so
// a crash leaves the previous cursors or the new ones. The file:
//
//   {"version": 1, "cursors": {"<page id>": {"<lane>": "<user id>"}}}     ("" is the main lane)
//
// A file that exists but is not this (hand-edited, truncated by a full disk, another program's)
// is reported as error::cursor_file_corrupt, with the reason in last_error(); it is not
// overwritten, so nothing is lost silently: fix or delete it, and the store works again.
//
// One process per file: saves from two processes would each rewrite the whole file, and the
// last one would win. Put a shared store behind cursor_store for several processes.
#pragma once

#include <pancake/workflow/cursor_store.hpp>
#include <pancake/workflow/detail/atomic_file.hpp>
#include <pancake/workflow/error.hpp>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace pancake::workflow {

class file_cursor_store final : public cursor_store {
public:
    /// Nothing is read until the first load or save.
    explicit file_cursor_store(std::filesystem::path path) : path_(std::move(path)) {}

    const std::filesystem::path& path() const noexcept { return path_; }

    /// Why the last failed call failed, for a log line ("…/cursors.json: "cursors" is not an object").
    std::string last_error() const {
        std::lock_guard lk(mu_);
        return last_error_;
    }

private:
    // page -> lane -> last assigned user
    using table = std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>>;

    store_result<std::optional<user_id>> do_load(const page_id& page, std::string_view lane) override {
        std::lock_guard lk(mu_);
        if (auto ec = ensure_loaded()) return ec;
        auto p = cursors_.find(page.value());
        if (p == cursors_.end()) return std::optional<user_id>();
        auto l = p->second.find(lane);
        if (l == p->second.end()) return std::optional<user_id>();
        return std::optional<user_id>(user_id(l->second));
    }

    store_result<void> do_save(const page_id& page, std::string_view lane, const user_id& last) override {
        std::lock_guard lk(mu_);
        if (auto ec = ensure_loaded()) return ec;
        // The new table is written first and kept only once it is on disk, so memory never
        // claims a cursor the file does not hold.
        auto next = cursors_;
        next[page.value()][std::string(lane)] = last.value();
        if (auto ec = detail::replace_whole_file(path_.string(), serialize(next))) {
            last_error_ = path_.string() + ": cannot write: " + ec.message();
            return ec;
        }
        cursors_ = std::move(next);
        return {};
    }

    // Reads the file on first use; a corrupt file is reported on every call until it is fixed.
    boost::system::error_code ensure_loaded() {
        if (loaded_) return {};
        auto data = detail::read_whole_file(path_.string());
        if (!data) {
            last_error_ = path_.string() + ": cannot read: " + data.error().message();
            return data.error();
        }
        if (!*data) {
            loaded_ = true; // no file yet: no cursors yet
            return {};
        }
        std::string why;
        auto parsed = parse(**data, why);
        if (!parsed) {
            last_error_ = path_.string() + ": " + why;
            return make_error_code(error::cursor_file_corrupt);
        }
        cursors_ = std::move(*parsed);
        loaded_ = true;
        return {};
    }

    static std::optional<table> parse(std::string_view text, std::string& why) {
        boost::system::error_code ec;
        auto v = boost::json::parse(text, ec);
        if (ec) {
            why = "not JSON (" + ec.message() + ")";
            return std::nullopt;
        }
        const auto* root = v.if_object();
        if (!root) {
            why = "not a JSON object";
            return std::nullopt;
        }
        const auto* version = root->if_contains("version");
        if (!version || !version->is_int64() || version->get_int64() != 1) {
            why = "\"version\" is not 1";
            return std::nullopt;
        }
        for (const auto& kv : *root)
            if (kv.key() != "version" && kv.key() != "cursors") {
                why = "unexpected field \"" + std::string(kv.key()) + "\"";
                return std::nullopt;
            }
        const auto* cursors = root->if_contains("cursors");
        if (!cursors || !cursors->is_object()) {
            why = "\"cursors\" is not an object";
            return std::nullopt;
        }
        table out;
        for (const auto& page : cursors->get_object()) {
            const auto* lanes = page.value().if_object();
            if (page.key().empty() || !lanes) {
                why = "cursors[\"" + std::string(page.key()) + "\"] is not an object keyed by a page id";
                return std::nullopt;
            }
            auto& row = out[std::string(page.key())];
            for (const auto& lane : *lanes) {
                const auto* user = lane.value().if_string();
                if (!user || user->empty()) {
                    why = "cursors[\"" + std::string(page.key()) + "\"][\"" + std::string(lane.key()) +
                          "\"] is not a user id";
                    return std::nullopt;
                }
                row[std::string(lane.key())] = std::string(*user);
            }
        }
        return out;
    }

    static std::string serialize(const table& t) {
        boost::json::object cursors;
        for (const auto& [page, lanes] : t) {
            boost::json::object row;
            for (const auto& [lane, user] : lanes)
                row[lane] = user;
            cursors[page] = std::move(row);
        }
        boost::json::object root;
        root["version"] = 1;
        root["cursors"] = std::move(cursors);
        return boost::json::serialize(root) + "\n";
    }

    std::filesystem::path path_;
    mutable std::mutex mu_;
    bool loaded_ = false;
    table cursors_;
    std::string last_error_;
};

} // namespace pancake::workflow
