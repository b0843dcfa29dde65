// A page's conversations and their messages, packed (packed_record.hpp): a pancake::conversation
// is about 1 KB as a struct before its strings, a message 680 bytes, and a million conversations
// must fit in a few hundred MB. Each conversation is kept as packed bytes plus the few fields the
// listing filters and sorts on (its summary), and is materialised into a struct only when a
// handler reads or writes it. Its messages are packed in the same slot (no second map). On a big
// page the bytes are compressed against a dictionary trained on the page (record_codec.hpp).
//
// No node per conversation: slots (56 bytes) sit in blocks that never move, their bytes in a
// bump-allocated byte_heap, ids in a string_arena (shared with the page's activity log), and the
// id -> slot lookup is a sorted table of two 32-bit numbers. A materialised conversation lives in
// a side table, so a packed one pays nothing for the possibility.
//
// A materialised conversation is the truth while it exists: handlers change it in place, and it
// is packed again only when settle() evicts it (a hot conversation is not repacked per request).
// Pointers from find()/peek() stay valid until a settle() that evicts, which happens only when
// more than its limit are materialised; the world settles after each call it answers.
#pragma once

#include "packed_record.hpp"
#include "record_codec.hpp"
#include "string_arena.hpp"

#include <pancake/types/conversation.hpp>
#include <pancake/types/message.hpp>

#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pancake::sim {

namespace detail {

/// Elements that never move, in blocks of 16, 32, ... up to 4096 (a small page stays small; a big
/// one's blocks are big enough to be mapped apart from the heap's small chunks).
template <class T>
class block_list {
public:
    block_list() = default;
    block_list(block_list&& o) noexcept : blocks_(std::move(o.blocks_)), size_(std::exchange(o.size_, 0)) {
        o.blocks_.clear();
    }
    block_list& operator=(block_list&& o) noexcept {
        blocks_ = std::move(o.blocks_);
        size_ = std::exchange(o.size_, 0);
        o.blocks_.clear();
        return *this;
    }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    T& operator[](std::size_t i) noexcept {
        auto [b, at] = place(i);
        return blocks_[b][at];
    }
    const T& operator[](std::size_t i) const noexcept {
        auto [b, at] = place(i);
        return blocks_[b][at];
    }
    T& emplace_back() {
        auto [b, at] = place(size_);
        if (b == blocks_.size()) blocks_.push_back(std::make_unique<T[]>(block_size(b)));
        ++size_;
        return blocks_[b][at];
    }

private:
    static constexpr std::size_t first = 16, last = 4096, doubling = 9; // 16 << 8 == 4096
    static constexpr std::size_t ramp = first * ((std::size_t{1} << doubling) - 1);
    static std::size_t block_size(std::size_t b) noexcept { return b < doubling ? first << b : last; }
    static std::pair<std::size_t, std::size_t> place(std::size_t i) noexcept {
        if (i >= ramp) return {doubling + (i - ramp) / last, (i - ramp) % last};
        std::size_t b = 0;
        while (i >= (first << b)) {
            i -= first << b;
            ++b;
        }
        return {b, i};
    }
    std::vector<std::unique_ptr<T[]>> blocks_;
    std::size_t size_ = 0;
};

/// Bytes for the records, bump-allocated in blocks that grow to 256 KB: no malloc header per
/// record, and no small permanent chunks left among a load's freed temporaries. A replaced
/// record's bytes become garbage; the owner compacts when the garbage passes a quarter of the
/// live bytes, and after a load.
class byte_heap {
public:
    byte_heap() = default;
    byte_heap(byte_heap&& o) noexcept { *this = std::move(o); }
    byte_heap& operator=(byte_heap&& o) noexcept { // the source is left empty, not pointing into ours
        blocks_ = std::move(o.blocks_);
        at_ = std::exchange(o.at_, nullptr);
        room_ = std::exchange(o.room_, 0);
        next_ = std::exchange(o.next_, 512);
        live_ = std::exchange(o.live_, 0);
        garbage_ = std::exchange(o.garbage_, 0);
        o.blocks_.clear();
        return *this;
    }
    char* allocate(std::size_t n) {
        if (n > room_) {
            next_ = std::min<std::size_t>(next_ * 2, max_block);
            const auto size = std::max(n, next_);
            blocks_.push_back(std::make_unique<char[]>(size));
            at_ = blocks_.back().get();
            room_ = size;
        }
        char* p = at_;
        at_ += n;
        room_ -= n;
        live_ += n;
        return p;
    }
    void release(std::size_t n) noexcept {
        live_ -= n;
        garbage_ += n;
    }
    bool wants_compaction() const noexcept { return garbage_ > (std::size_t{1} << 20) && garbage_ > live_ / 4; }
    std::size_t garbage() const noexcept { return garbage_; }

private:
    static constexpr std::size_t max_block = 256 * 1024;
    std::vector<std::unique_ptr<char[]>> blocks_;
    char* at_ = nullptr;
    std::size_t room_ = 0, next_ = 512, live_ = 0, garbage_ = 0;
};

} // namespace detail

class conversation_store {
public:
    /// What the listing filters and orders on, kept current for every conversation (32 bytes).
    struct summary {
        static constexpr std::int64_t none = std::numeric_limits<std::int64_t>::min();
        std::int64_t updated_us = none, inserted_us = none; ///< microseconds since 1970
        /// The live tag ids, behind their count: a set shared by every conversation with the same
        /// tags (the store's); null: none.
        const std::int64_t* tag_set = nullptr;
        std::uint32_t type = 0;      ///< pool index of `type`
        std::uint32_t post : 31 = 0; ///< pool index + 1 of post_id; 0: none
        std::uint32_t seen : 1 = 0;

        std::span<const std::int64_t> tags() const noexcept {
            if (!tag_set) return {};
            return {tag_set + 1, static_cast<std::size_t>(tag_set[0])};
        }
        /// The listing's order key: updated_at, else inserted_at, else 0 (or the other way round).
        std::int64_t stamp(bool by_inserted = false) const noexcept {
            const auto a = by_inserted ? inserted_us : updated_us, b = by_inserted ? updated_us : inserted_us;
            return a != none ? a : b != none ? b : 0;
        }
        bool has_tag(std::int64_t t) const noexcept {
            const auto all = tags();
            return std::find(all.begin(), all.end(), t) != all.end();
        }
    };
    /// A conversation's place in the store (stable: the store never removes one).
    using index = std::uint32_t;
    static constexpr index npos = std::numeric_limits<index>::max();

    /// How many may stay materialised between calls (a hot working set is not repacked).
    static constexpr std::size_t default_cache_limit = 1024;
    /// A load this big trains the compression dictionary as it goes (see insert()).
    static constexpr std::size_t train_at = 4000;

    conversation_store() = default;
    conversation_store(const conversation_store& o)
        : strings_(o.strings_), slot_of_(o.slot_of_), order_(o.order_), order_sorted_(o.order_sorted_), pool_(o.pool_),
          codec_(o.codec_), dirty_(o.dirty_), live_(o.live_) {
        for (std::size_t i = 0; i < o.slots_.size(); ++i) {
            auto& s = o.slots_[i];
            auto& mine = slots_.emplace_back();
            mine = s; // the fields; then its own bytes and tag set
            mine.data = nullptr;
            mine.size = 0;
            set_bytes(mine, s.bytes(), s.compressed);
            mine.sum.tag_set = intern_tags(s.sum.tags());
        }
        for (auto& [i, c] : o.live_objects_)
            live_objects_.emplace(i, std::make_unique<conversation>(*c));
    }
    conversation_store& operator=(const conversation_store& o) {
        if (this != &o) *this = conversation_store(o);
        return *this;
    }
    // Slot blocks, heap blocks, the arena's bytes and the tag sets stay where they are when moved.
    conversation_store(conversation_store&&) noexcept = default;
    conversation_store& operator=(conversation_store&&) noexcept = default;

    std::size_t size() const noexcept { return slots_.size(); }
    bool empty() const noexcept { return slots_.empty(); }
    bool contains(std::string_view id) const { return index_of(id) != npos; }

    /// Where conversation `id` is, or npos.
    index index_of(std::string_view id) const {
        const auto h = strings_.find(id); // 0: "" (a valid id, as it was for a map), or not stored
        if (h == 0 && !id.empty()) return npos;
        auto it =
            std::lower_bound(slot_of_.begin(), slot_of_.end(), h,
                             [](const std::pair<std::uint32_t, index>& x, std::uint32_t v) { return x.first < v; });
        return it != slot_of_.end() && it->first == h ? it->second : npos;
    }
    std::string_view id_at(index i) const { return strings_.at(slots_[i].id); }
    const summary& summary_at(index i) const noexcept { return slots_[i].sum; }

    /// The page's strings: conversation ids, and what else the page keeps interned beside them
    /// (the activity log's ids), so that an id is stored once.
    string_arena& strings() noexcept { return strings_; }
    const string_arena& strings() const noexcept { return strings_; }

    /// For a change: materialised and marked for a summary refresh (and a repack on eviction).
    conversation* find(std::string_view id) {
        const auto i = index_of(id);
        if (i == npos) return nullptr;
        auto& c = materialise(i);
        mark(i);
        return &c;
    }
    /// For reading: materialised (kept until the next evicting settle), not marked.
    const conversation* peek(std::string_view id) const {
        const auto i = index_of(id);
        return i == npos ? nullptr : &materialise(i);
    }
    /// The conversation as a value, without materialising it (scans and answers).
    conversation get(std::string_view id) const {
        conversation c;
        if (const auto i = index_of(id); i != npos) read_into(i, c);
        return c;
    }
    const summary* find_summary(std::string_view id) const {
        const auto i = index_of(id);
        return i == npos ? nullptr : &slots_[i].sum;
    }
    /// The conversation `id`, new (empty but for its id, and marked) if there was none.
    std::pair<conversation*, bool> try_emplace(const std::string& id) {
        std::unique_ptr<conversation> fresh;
        if (!contains(id)) { // made and room taken first: a throw leaves no slot without a conversation
            fresh = std::make_unique<conversation>();
            fresh->id = conversation_id(id);
            room_for_one(live_);
            live_objects_.reserve(live_objects_.size() + 1);
        }
        auto [i, created] = emplace(id, true);
        if (created) {
            live_objects_.emplace(i, std::move(fresh));
            live_.push_back(i);
            slots_[i].live = true;
        }
        auto& c = materialise(i);
        mark(i);
        return {&c, created};
    }
    /// Takes a whole conversation (a fixture's), packed at once: loading stays compact. A big
    /// load compresses as it goes: at `train_at` conversations the dictionary is made and later
    /// ones arrive compressed (compressing after the load would leave the heap at its peak, freed
    /// chunks scattered among live ones).
    void insert(conversation c) {
        if (slots_.size() == train_at && !codec_.trained()) compact(train_at);
        auto [i, created] = emplace(c.id.value(), false);
        if (!created) return; // the first of a repeated id stays (as a map's emplace)
        slots_[i].sum = summarise(c);
        pack(c, slots_[i]);
    }
    /// The summary as the conversation now says (after a change of what it holds); its index.
    index refresh(const conversation& c) {
        const auto i = index_of(c.id.value());
        if (i == npos) throw std::out_of_range("conversation_store: no conversation " + c.id.value());
        slots_[i].sum = summarise(c);
        return i;
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
        for (auto i : ordered()) {
            if (slots_[i].live) {
                f(id_at(i), std::as_const(*live_objects_.at(i)));
            } else {
                read_into(i, scratch);
                f(id_at(i), std::as_const(scratch));
            }
        }
    }
    /// f(id, summary) for each, in id order (no decoding).
    template <class F>
    void for_each_summary(F&& f) const {
        for (auto i : ordered())
            f(id_at(i), slots_[i].sum);
    }

    /// After a call: refreshes the summaries of changed conversations and, past `limit`
    /// materialised ones, packs them away (pointers to them die here, and only here).
    void settle(std::size_t limit = default_cache_limit) {
        for (auto i : dirty_) {
            slots_[i].sum = summarise(*live_objects_.at(i));
            slots_[i].dirty = false;
        }
        dirty_.clear();
        if (live_.size() <= limit) return;
        std::size_t done = 0; // each packed one leaves both tables at once: a throw leaves them agreeing
        try {
            for (; done < live_.size(); ++done) {
                const auto i = live_[done];
                auto& s = slots_[i];
                if (s.changed) pack(*live_objects_.at(i), s);
                s.changed = false;
                s.live = false;
                live_objects_.erase(i);
            }
        } catch (...) {
            live_.erase(live_.begin(), live_.begin() + static_cast<std::ptrdiff_t>(done));
            throw;
        }
        live_.clear();
    }
    // Messages, per conversation, oldest first. Reads decode a copy; writes append or replace the
    // list. The conversation must exist (writing to one that does not throws std::out_of_range).

    std::vector<message> messages(std::string_view id) const {
        std::vector<message> out;
        const auto i = index_of(id);
        if (i == npos) return out;
        auto& s = slots_[i];
        out.reserve(s.message_count);
        std::string_view in = raw(s).substr(s.conversation_bytes);
        packing::reader r{in, pool_};
        while (!in.empty()) {
            const bool own = in.front() == own_conversation;
            in.remove_prefix(1);
            auto& m = out.emplace_back();
            packing::read(r, m);
            if (own) m.conversation_id = conversation_id(std::string(id));
        }
        return out;
    }
    /// How many it holds, without decoding them.
    std::size_t message_count(std::string_view id) const {
        const auto i = index_of(id);
        return i == npos ? 0 : slots_[i].message_count;
    }
    /// Whether messages were ever given (a fixture may give an empty list).
    bool holds_messages(std::string_view id) const {
        const auto i = index_of(id);
        return i != npos && slots_[i].holds_messages;
    }
    void append_message(std::string_view id, const message& m) {
        auto& s = existing(id);
        if (s.message_count >= max_messages) throw std::length_error("conversation_store: too many messages");
        std::string bytes(raw(s));
        pack_message(id, m, bytes);
        keep(s, bytes); // counted after: a throw leaves the slot as it was
        ++s.message_count;
        s.holds_messages = true;
    }
    void put_messages(std::string_view id, const std::vector<message>& all) {
        auto& s = existing(id);
        if (all.size() > max_messages) throw std::length_error("conversation_store: too many messages");
        std::string bytes(raw(s).substr(0, s.conversation_bytes));
        for (auto& m : all)
            pack_message(id, m, bytes);
        keep(s, bytes);
        s.message_count = static_cast<std::uint32_t>(all.size());
        s.holds_messages = true;
    }

    /// On a page big enough to repay it (a fixture's load), trains the compression dictionary on a
    /// sample of its conversations, once; then compresses every packed one not yet compressed.
    /// Later packs (a changed conversation evicted) compress too. The tables lose their slack.
    void compact(std::size_t min_conversations = 1000) {
        if (!codec_.trained() && !slots_.empty() && slots_.size() >= min_conversations) {
            std::vector<std::string_view> samples;
            const std::size_t step = slots_.size() / 4000 + 1; // a few thousand, spread over the page
            for (std::size_t i = 0; i < slots_.size(); i += step)
                if (!slots_[i].compressed) samples.push_back(slots_[i].bytes());
            codec_.train(samples); // (if zstd cannot, the records stay as they are)
        }
        if (codec_.trained())
            for (std::size_t i = 0; i < slots_.size(); ++i)
                if (!slots_[i].compressed) keep(slots_[i], std::string(slots_[i].bytes()));
        if (heap_.garbage() != 0) compact_heap(); // a load replaced each record once or twice
        slot_of_.shrink_to_fit();
        order_.shrink_to_fit();
    }
    bool compressed() const noexcept { return codec_.trained(); }
    /// Whether conversation `id`'s bytes are held compressed (tests).
    bool compressed(std::string_view id) const {
        const auto i = index_of(id);
        return i != npos && slots_[i].compressed;
    }

    /// Bytes held packed (for the scale benchmark and tests).
    std::size_t packed_bytes() const noexcept {
        std::size_t n = 0;
        for (std::size_t i = 0; i < slots_.size(); ++i)
            n += slots_[i].size;
        return n;
    }
    std::size_t materialised_count() const noexcept { return live_.size(); }

private:
    // 56 bytes: a million conversations are 56 MB of these.
    struct slot {
        summary sum;
        // One buffer: the conversation packed (stale while it is materialised), then its messages
        // packed, oldest first; compressed as a whole once the store has a dictionary.
        const char* data = nullptr; ///< in the store's byte_heap
        std::uint32_t size = 0;
        std::uint32_t id = 0; ///< the handle of its id in strings_
        std::uint32_t conversation_bytes = 0;
        std::uint32_t message_count : 27 = 0;
        std::uint32_t compressed : 1 = 0;
        std::uint32_t holds_messages : 1 = 0;
        std::uint32_t dirty : 1 = 0;        ///< the summary awaits a refresh
        std::uint32_t changed : 1 = 0;      ///< the packed conversation is older than the materialised one
        mutable std::uint32_t live : 1 = 0; ///< materialised (in live_objects_; reading may materialise)

        std::string_view bytes() const noexcept { return {data, size}; }
    };
    static_assert(sizeof(slot) == 56);
    static constexpr std::size_t max_compressed_record = 16 * 1024;
    static constexpr std::uint32_t max_messages = (std::uint32_t{1} << 27) - 1;
    // A message's conversation_id is nearly always its conversation's: stored as one flag byte.
    static constexpr char own_conversation = 1;

    // A new id's handle is nearly always the arena's newest, so the table of (handle, index)
    // pairs stays sorted by appending: 8 bytes a conversation, where a hash table holds 16-20.
    std::pair<index, bool> emplace(const std::string& id, bool one_off) {
        const auto h = strings_.intern(id);
        auto at =
            std::lower_bound(slot_of_.begin(), slot_of_.end(), h,
                             [](const std::pair<std::uint32_t, index>& x, std::uint32_t v) { return x.first < v; });
        if (at != slot_of_.end() && at->first == h) return {at->second, false};
        if (slots_.size() >= npos) throw std::length_error("conversation_store: full");
        // Grown before anything refers to the new slot: a throw leaves no half-made entry.
        const auto pos = at - slot_of_.begin();
        room_for_one(order_);
        room_for_one(slot_of_);
        const auto i = static_cast<index>(slots_.size());
        auto& s = slots_.emplace_back();
        s.id = h;
        slot_of_.insert(slot_of_.begin() + pos, {h, i});
        place_in_order(i, one_off);
        return {i, true};
    }
    // Id order: a conversation opened by a call takes its place at once (a binary search and a
    // move of 4-byte indices); a load appends and sorts once, on the first ordered walk.
    void place_in_order(index i, bool one_off) {
        const auto id = id_at(i);
        const bool after_last = order_.empty() || id_at(order_.back()) < id;
        if (order_sorted_ && one_off && !after_last) {
            auto at = std::lower_bound(order_.begin(), order_.end(), id,
                                       [&](index x, std::string_view v) { return id_at(x) < v; });
            order_.insert(at, i);
            return;
        }
        order_.push_back(i);
        order_sorted_ = order_sorted_ && after_last;
    }
    /// Room for one more without a reallocation on the push that follows (growing geometrically:
    /// reserve(size() + 1) would copy the whole vector on every push).
    template <class V>
    static void room_for_one(V& v) {
        if (v.size() == v.capacity()) v.reserve(std::max<std::size_t>(16, v.capacity() * 2));
    }
    const std::vector<index>& ordered() const {
        if (!order_sorted_) {
            std::sort(order_.begin(), order_.end(), [&](index a, index b) { return id_at(a) < id_at(b); });
            order_sorted_ = true;
        }
        return order_;
    }
    const std::int64_t* intern_tags(std::span<const std::int64_t> t) {
        if (t.empty()) return nullptr;
        std::vector<std::int64_t> set{static_cast<std::int64_t>(t.size())};
        set.insert(set.end(), t.begin(), t.end());
        return tag_sets_.insert(std::move(set)).first->data(); // a set's nodes never move
    }

    slot& existing(std::string_view id) {
        const auto i = index_of(id);
        if (i == npos) throw std::out_of_range("conversation_store: no conversation " + std::string(id));
        return slots_[i];
    }
    /// The slot's bytes uncompressed: its own, or a view of a scratch buffer that the next call
    /// of raw() overwrites (read it before calling anything else of the store).
    std::string_view raw(const slot& s) const {
        if (!s.compressed) return s.bytes();
        codec_.decompress(s.bytes(), scratch_);
        return scratch_;
    }
    /// Stores `bytes` (uncompressed) as the slot's, compressed when the store has a dictionary
    /// and the record is small (a dictionary pays on small records; a long conversation would be
    /// recompressed whole at every message appended, where plain bytes are only copied).
    void keep(slot& s, std::string_view bytes) {
        if (codec_.trained() && bytes.size() <= max_compressed_record) {
            std::string z;
            codec_.compress(bytes, z);
            set_bytes(s, z, true);
        } else {
            set_bytes(s, bytes, false);
        }
    }
    void set_bytes(slot& s, std::string_view b, bool compressed) {
        if (b.size() > std::numeric_limits<std::uint32_t>::max())
            throw std::length_error("conversation_store: conversation too big");
        char* to = heap_.allocate(b.size());
        if (!b.empty()) std::memcpy(to, b.data(), b.size());
        heap_.release(s.size);
        s.data = to;
        s.size = static_cast<std::uint32_t>(b.size());
        s.compressed = compressed;
        if (heap_.wants_compaction()) compact_heap();
    }
    // Every record copied into a fresh heap; the old one (all its garbage) goes.
    void compact_heap() {
        detail::byte_heap fresh;
        std::vector<char*> to(slots_.size()); // all copied before any slot points at them
        for (std::size_t i = 0; i < slots_.size(); ++i) {
            to[i] = fresh.allocate(slots_[i].size);
            if (slots_[i].size != 0) std::memcpy(to[i], slots_[i].data, slots_[i].size);
        }
        for (std::size_t i = 0; i < slots_.size(); ++i)
            slots_[i].data = to[i];
        heap_ = std::move(fresh);
    }
    void pack_message(std::string_view id, const message& m, std::string& bytes) {
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
    }
    void mark(index i) {
        auto& s = slots_[i];
        s.changed = true;
        if (s.dirty) return;
        dirty_.push_back(i);
        s.dirty = true;
    }
    conversation& materialise(index i) const {
        auto& s = slots_[i];
        if (!s.live) {
            auto c = std::make_unique<conversation>();
            read_into(i, *c);
            room_for_one(live_);
            live_objects_.emplace(i, std::move(c));
            live_.push_back(i);
            s.live = true;
        }
        return *live_objects_.at(i);
    }
    // The id is the arena's: not stored twice.
    void pack(const conversation& c, slot& s) {
        std::string out;
        packing::writer w{out, pool_};
        boost::mp11::mp_for_each<boost::describe::describe_members<conversation, boost::describe::mod_public>>(
            [&](auto d) {
                if (std::string_view(d.name) != "id") packing::write(w, c.*d.pointer, packing::pooled(d.name));
            });
        const auto size = static_cast<std::uint32_t>(out.size());
        out.append(raw(s).substr(s.conversation_bytes)); // its messages follow
        keep(s, out);
        s.conversation_bytes = size; // (after: if keep throws, the old bytes and split stay)
    }
    void read_into(index i, conversation& c) const {
        auto& s = slots_[i];
        if (s.live) {
            c = *live_objects_.at(i);
            return;
        }
        std::string_view in = raw(s).substr(0, s.conversation_bytes);
        packing::reader r{in, pool_};
        boost::mp11::mp_for_each<boost::describe::describe_members<conversation, boost::describe::mod_public>>(
            [&](auto d) {
                if (std::string_view(d.name) != "id") packing::read(r, c.*d.pointer);
            });
        c.id = conversation_id(std::string(id_at(i)));
    }
    summary summarise(const conversation& c) {
        summary s;
        if (c.updated_at) s.updated_us = c.updated_at->time().time_since_epoch().count();
        if (c.inserted_at) s.inserted_us = c.inserted_at->time().time_since_epoch().count();
        s.type = pool_.intern(c.type);
        const auto post = c.post_id ? std::uint64_t{pool_.intern(*c.post_id)} + 1 : 0;
        if (post >= (std::uint64_t{1} << 31)) throw std::length_error("conversation_store: too many distinct texts");
        s.post = static_cast<std::uint32_t>(post);
        s.seen = c.seen;
        std::vector<std::int64_t> tags;
        for (auto& t : c.tags)
            if (t && t->id) tags.push_back(t->id->value());
        s.tag_set = intern_tags(tags);
        return s;
    }

    detail::byte_heap heap_; // (before the slots, which point into it)
    detail::block_list<slot> slots_;
    string_arena strings_;
    std::vector<std::pair<std::uint32_t, index>> slot_of_; ///< (id handle, index), by handle
    mutable std::vector<index> order_;                     ///< indices, by id
    mutable bool order_sorted_ = true;
    std::set<std::vector<std::int64_t>> tag_sets_; ///< the distinct tag sets (few), summaries point in
    string_pool pool_;
    record_codec codec_;
    mutable std::string scratch_; // raw()'s
    std::vector<index> dirty_;
    mutable std::vector<index> live_; ///< the materialised, in the order they were
    mutable boost::unordered_flat_map<index, std::unique_ptr<conversation>> live_objects_;
};

} // namespace pancake::sim
