// A page's conversations and their messages, packed (packed_record.hpp): a pancake::conversation
// is about 1 KB as a struct before its strings, a message 680 bytes, and a million conversations
// must fit in a few hundred MB. Each conversation is kept as packed bytes plus the few fields the
// listing filters and sorts on (its summary), and is materialised into a struct only when a
// handler reads or writes it. Its messages are packed in the same slot (no second map).
//
// A materialised conversation is the truth while it exists: handlers change it in place, and it
// is packed again only when settle() evicts it (a hot conversation is not repacked per request).
// Pointers from find()/peek() stay valid until a settle() that evicts, which happens only when
// more than its limit are materialised; the world settles after each call it answers.
#pragma once

#include "packed_record.hpp"
#include "record_codec.hpp"

#include <pancake/types/conversation.hpp>
#include <pancake/types/message.hpp>

#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pancake::sim {

class conversation_store {
public:
    /// What the listing filters and orders on, kept current for every conversation.
    struct summary {
        static constexpr std::int64_t none = std::numeric_limits<std::int64_t>::min();
        std::int64_t updated_us = none, inserted_us = none; ///< microseconds since 1970
        std::uint32_t type = 0;                             ///< pool index of `type`
        std::uint32_t post = 0;                             ///< pool index + 1 of post_id; 0: none
        bool seen = false;
        std::vector<std::int64_t> tags; ///< the live tag ids

        /// The listing's order key: updated_at, else inserted_at, else 0 (or the other way round).
        std::int64_t stamp(bool by_inserted = false) const noexcept {
            const auto a = by_inserted ? inserted_us : updated_us, b = by_inserted ? updated_us : inserted_us;
            return a != none ? a : b != none ? b : 0;
        }
        bool has_tag(std::int64_t t) const noexcept {
            for (auto x : tags)
                if (x == t) return true;
            return false;
        }
    };

    /// How many may stay materialised between calls (a hot working set is not repacked).
    static constexpr std::size_t default_cache_limit = 1024;

    conversation_store() = default;
    conversation_store(const conversation_store& o) : pool_(o.pool_), codec_(o.codec_) {
        for (auto& [id, s] : o.slots_) {
            auto& mine = slots_[id];
            mine.bytes = s.bytes;
            mine.compressed = s.compressed;
            mine.conversation_bytes = s.conversation_bytes;
            mine.sum = s.sum;
            mine.message_count = s.message_count;
            mine.holds_messages = s.holds_messages;
            if (!s.live) continue;
            materialised(mine, std::make_unique<conversation>(*s.live), s.dirty);
            mine.changed = s.changed;
        }
    }
    conversation_store& operator=(const conversation_store& o) {
        if (this != &o) *this = conversation_store(o);
        return *this;
    }
    conversation_store(conversation_store&&) noexcept = default;
    conversation_store& operator=(conversation_store&&) noexcept = default;

    std::size_t size() const noexcept { return slots_.size(); }
    bool empty() const noexcept { return slots_.empty(); }
    bool contains(std::string_view id) const { return slots_.find(id) != slots_.end(); }

    /// For a change: materialised and marked for a summary refresh (and a repack on eviction).
    conversation* find(std::string_view id) {
        auto it = slots_.find(id);
        if (it == slots_.end()) return nullptr;
        auto& c = materialise(*it);
        mark(it->second);
        return &c;
    }
    /// For reading: materialised (kept until the next evicting settle), not marked.
    const conversation* peek(std::string_view id) const {
        auto it = slots_.find(id);
        return it == slots_.end() ? nullptr : &materialise(const_cast<slot_map::value_type&>(*it));
    }
    /// The conversation as a value, without materialising it (scans and answers).
    conversation get(std::string_view id) const {
        auto it = slots_.find(id);
        conversation c;
        if (it != slots_.end()) read_into(*it, c);
        return c;
    }
    const summary* find_summary(std::string_view id) const {
        auto it = slots_.find(id);
        return it == slots_.end() ? nullptr : &it->second.sum;
    }
    /// The conversation `id`, new (empty but for its id, and marked) if there was none.
    std::pair<conversation*, bool> try_emplace(const std::string& id) {
        auto [it, created] = slots_.try_emplace(id);
        if (created) materialised(it->second, std::make_unique<conversation>(), true);
        auto& c = materialise(*it);
        if (created) c.id = conversation_id(id);
        mark(it->second);
        return {&c, created};
    }
    /// Takes a whole conversation (a fixture's), packed at once: loading stays compact.
    /// A big load compresses as it goes: at `train_at` conversations the dictionary is made and
    /// later ones arrive compressed (compressing after the load would leave the heap at its peak,
    /// freed chunks scattered among live ones).
    void insert(conversation c) {
        if (slots_.size() == train_at && !codec_.trained()) compact(train_at);
        auto [it, created] = slots_.try_emplace(c.id.value());
        if (!created) return; // the first of a repeated id stays (as a map's emplace)
        it->second.sum = summarise(c);
        pack(c, it->second);
    }
    static constexpr std::size_t train_at = 4000;
    /// The summary as the conversation now says (after a change of what it holds), and the id
    /// as the store holds it (a view of it lives as long as the store).
    struct keyed_summary {
        const std::string& id;
        const summary& sum;
    };
    keyed_summary refresh(const conversation& c) {
        auto it = slots_.find(c.id.value());
        if (it == slots_.end()) throw std::out_of_range("conversation_store: no conversation " + c.id.value());
        it->second.sum = summarise(c);
        return {it->first, it->second.sum};
    }
    const std::string& text(std::uint32_t pooled) const { return pool_.at(pooled); }
    /// A COMMENT thread on `post` (the scans for a post's comments read summaries only).
    bool comment_on(const summary& s, std::string_view post) const {
        return text(s.type) == "COMMENT" && s.post != 0 && text(s.post - 1) == post;
    }

    /// f(id, conversation) for each, in id order. The reference lives for the call only.
    template <class F>
    void for_each(F&& f) const {
        conversation scratch;
        for (auto& entry : slots_) {
            if (entry.second.live) {
                f(entry.first, *entry.second.live);
            } else {
                read_into(entry, scratch);
                f(entry.first, std::as_const(scratch));
            }
        }
    }
    /// f(id, summary) for each, in id order (no decoding).
    template <class F>
    void for_each_summary(F&& f) const {
        for (auto& [id, s] : slots_)
            f(id, s.sum);
    }

    /// After a call: refreshes the summaries of changed conversations and, past `limit`
    /// materialised ones, packs them away (pointers to them die here, and only here).
    void settle(std::size_t limit = default_cache_limit) {
        for (auto* s : dirty_) {
            s->sum = summarise(*s->live);
            s->dirty = false;
        }
        dirty_.clear();
        if (live_.size() <= limit) return;
        for (auto* s : live_) {
            if (s->changed) pack(*s->live, *s);
            s->changed = false;
            s->live.reset();
        }
        live_.clear();
    }
    // Messages, per conversation, oldest first. Reads decode a copy; writes append or replace the
    // list. The conversation must exist (writing to one that does not throws std::out_of_range).

    std::vector<message> messages(std::string_view id) const {
        std::vector<message> out;
        auto it = slots_.find(id);
        if (it == slots_.end()) return out;
        out.reserve(it->second.message_count);
        std::string_view in = raw(it->second).substr(it->second.conversation_bytes);
        packing::reader r{in, pool_};
        while (!in.empty()) {
            const bool own = in.front() == own_conversation;
            in.remove_prefix(1);
            auto& m = out.emplace_back();
            packing::read(r, m);
            if (own) m.conversation_id = conversation_id(it->first);
        }
        return out;
    }
    /// How many it holds, without decoding them.
    std::size_t message_count(std::string_view id) const {
        auto it = slots_.find(id);
        return it == slots_.end() ? 0 : it->second.message_count;
    }
    /// Whether messages were ever given (a fixture may give an empty list).
    bool holds_messages(std::string_view id) const {
        auto it = slots_.find(id);
        return it != slots_.end() && it->second.holds_messages;
    }
    void append_message(std::string_view id, const message& m) {
        auto& s = existing(id);
        std::string bytes(raw(s));
        pack_message(id, m, s, bytes);
        keep(s, std::move(bytes));
    }
    void put_messages(std::string_view id, const std::vector<message>& all) {
        auto& s = existing(id);
        std::string bytes(raw(s).substr(0, s.conversation_bytes));
        s.message_count = 0;
        for (auto& m : all)
            pack_message(id, m, s, bytes);
        s.holds_messages = true;
        keep(s, std::move(bytes));
    }

    /// On a page big enough to repay it (a fixture's load), trains the compression dictionary on a
    /// sample of its conversations, once; then compresses every packed one not yet compressed.
    /// Later packs (a changed conversation evicted) compress too.
    void compact(std::size_t min_conversations = 1000) {
        if (slots_.empty()) return;
        if (!codec_.trained()) {
            if (slots_.size() < min_conversations) return;
            std::vector<std::string_view> samples;
            const std::size_t step = slots_.size() / 4000 + 1; // a few thousand, spread over the page
            std::size_t i = 0;
            for (auto& [id, s] : slots_)
                if (i++ % step == 0 && !s.compressed) samples.push_back(s.bytes);
            if (!codec_.train(samples)) return;
        }
        for (auto& [id, s] : slots_)
            if (!s.compressed) keep(s, std::move(s.bytes));
    }
    bool compressed() const noexcept { return codec_.trained(); }

    /// Bytes held packed (for the scale benchmark and tests).
    std::size_t packed_bytes() const noexcept {
        std::size_t n = 0;
        for (auto& [id, s] : slots_)
            n += s.bytes.size();
        return n;
    }
    std::size_t materialised_count() const noexcept { return live_.size(); }

private:
    struct slot {
        // One buffer: the conversation packed (stale while `live` exists), then its messages
        // packed, oldest first; compressed as a whole once the store has a dictionary. Two strings
        // would cost a second allocation per conversation.
        std::string bytes;
        bool compressed = false;
        std::uint32_t conversation_bytes = 0;
        std::uint32_t message_count = 0;
        summary sum;
        mutable std::unique_ptr<conversation> live;
        bool holds_messages = false;
        bool dirty = false;   ///< the summary awaits a refresh
        bool changed = false; ///< the packed conversation is older than `live`
    };
    // A message's conversation_id is nearly always its conversation's: stored as one flag byte.
    static constexpr char own_conversation = 1;
    using slot_map = std::map<std::string, slot, std::less<>>;

    slot& existing(std::string_view id) {
        auto it = slots_.find(id);
        if (it == slots_.end()) throw std::out_of_range("conversation_store: no conversation " + std::string(id));
        return it->second;
    }
    /// The slot's bytes uncompressed: its own, or a view of a scratch buffer that the next call
    /// of raw() overwrites (read it before calling anything else of the store).
    std::string_view raw(const slot& s) const {
        if (!s.compressed) return s.bytes;
        codec_.decompress(s.bytes, scratch_);
        return scratch_;
    }
    /// Stores `bytes` (uncompressed) as the slot's, compressed when the store has a dictionary.
    void keep(slot& s, std::string bytes) {
        if (codec_.trained()) {
            codec_.compress(bytes, s.bytes);
            s.compressed = true;
        } else {
            s.bytes = std::move(bytes);
            s.compressed = false;
        }
        s.bytes.shrink_to_fit();
    }
    void pack_message(std::string_view id, const message& m, slot& s, std::string& bytes) {
        packing::writer w{bytes, pool_}; // appends
        const bool own = m.conversation_id && m.conversation_id->value() == id;
        bytes += own ? own_conversation : char(0);
        if (own) {
            message copy = m;
            copy.conversation_id.reset();
            packing::write(w, copy);
        } else {
            packing::write(w, m);
        }
        ++s.message_count;
        s.holds_messages = true;
    }
    void materialised(slot& s, std::unique_ptr<conversation> c, bool dirty) {
        s.live = std::move(c);
        live_.push_back(&s);
        if (dirty) mark(s);
    }
    void mark(slot& s) {
        s.changed = true;
        if (s.dirty) return;
        s.dirty = true;
        dirty_.push_back(&s);
    }
    conversation& materialise(slot_map::value_type& entry) const {
        auto& s = entry.second;
        if (!s.live) {
            auto c = std::make_unique<conversation>();
            read_into(entry, *c);
            s.live = std::move(c);
            live_.push_back(&s);
        }
        return *s.live;
    }
    // The id is the map's key: not stored twice.
    void pack(const conversation& c, slot& s) {
        std::string out;
        packing::writer w{out, pool_};
        boost::mp11::mp_for_each<boost::describe::describe_members<conversation, boost::describe::mod_public>>(
            [&](auto d) {
                if (std::string_view(d.name) != "id") packing::write(w, c.*d.pointer, packing::pooled(d.name));
            });
        const auto size = static_cast<std::uint32_t>(out.size());
        out.append(raw(s).substr(s.conversation_bytes)); // its messages follow
        s.conversation_bytes = size;
        keep(s, std::move(out));
    }
    void read_into(const slot_map::value_type& entry, conversation& c) const {
        if (entry.second.live) {
            c = *entry.second.live;
            return;
        }
        std::string_view in = raw(entry.second).substr(0, entry.second.conversation_bytes);
        packing::reader r{in, pool_};
        boost::mp11::mp_for_each<boost::describe::describe_members<conversation, boost::describe::mod_public>>(
            [&](auto d) {
                if (std::string_view(d.name) != "id") packing::read(r, c.*d.pointer);
            });
        c.id = conversation_id(entry.first);
    }
    summary summarise(const conversation& c) {
        summary s;
        if (c.updated_at) s.updated_us = c.updated_at->time().time_since_epoch().count();
        if (c.inserted_at) s.inserted_us = c.inserted_at->time().time_since_epoch().count();
        s.type = pool_.intern(c.type);
        s.post = c.post_id ? pool_.intern(*c.post_id) + 1 : 0;
        s.seen = c.seen;
        for (auto& t : c.tags)
            if (t && t->id) s.tags.push_back(t->id->value());
        return s;
    }

    slot_map slots_;
    string_pool pool_;
    record_codec codec_;
    mutable std::string scratch_; // raw()'s
    std::vector<slot*> dirty_;
    mutable std::vector<slot*> live_;
};

} // namespace pancake::sim
