// A page's messages, per conversation, packed (packed_record.hpp): the bulk of a big fixture's
// memory was messages held as pancake::message structs (680 bytes each before their strings).
// Reads decode a copy; writes append or replace a conversation's list.
#pragma once

#include "packed_record.hpp"

#include <pancake/types/message.hpp>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace pancake::sim {

class message_store {
public:
    using list = std::vector<message>;

    /// The conversation's messages, oldest first (empty when it has none).
    list get(const std::string& conversation) const;
    /// How many it has, without decoding them.
    std::size_t count(const std::string& conversation) const;
    /// Whether the conversation has an entry (a fixture may give an empty list).
    bool contains(const std::string& conversation) const { return lists_.count(conversation) > 0; }
    void append(const std::string& conversation, const message& m);
    /// Replaces the conversation's list (after changing one of its messages).
    void put(const std::string& conversation, const list& all);
    /// Conversations with an entry, in id order, and their messages.
    template <class F>
    void for_each(F&& f) const {
        for (auto& [id, e] : lists_)
            f(id, get(id));
    }

private:
    struct entry {
        std::uint32_t count = 0;
        std::string bytes;
    };
    void pack(const std::string& conversation, const message& m, entry& e);
    std::map<std::string, entry> lists_;
    string_pool pool_;
};

} // namespace pancake::sim
