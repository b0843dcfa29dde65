#include "message_store.hpp"

namespace pancake::sim {

namespace {
// A message's conversation_id is nearly always its conversation's: stored as one flag byte.
constexpr char own_conversation = 1;
} // namespace

void message_store::pack(const std::string& conversation, const message& m, entry& e) {
    packing::writer w{e.bytes, pool_};
    const bool own = m.conversation_id && m.conversation_id->value() == conversation;
    e.bytes += own ? own_conversation : char(0);
    if (own) {
        message copy = m;
        copy.conversation_id.reset();
        packing::write(w, copy);
    } else {
        packing::write(w, m);
    }
    ++e.count;
}

message_store::list message_store::get(const std::string& conversation) const {
    list out;
    auto it = lists_.find(conversation);
    if (it == lists_.end()) return out;
    out.reserve(it->second.count);
    std::string_view in = it->second.bytes;
    packing::reader r{in, pool_};
    while (!in.empty()) {
        const bool own = in.front() == own_conversation;
        in.remove_prefix(1);
        auto& m = out.emplace_back();
        packing::read(r, m);
        if (own) m.conversation_id = conversation_id(conversation);
    }
    return out;
}

std::size_t message_store::count(const std::string& conversation) const {
    auto it = lists_.find(conversation);
    return it == lists_.end() ? 0 : it->second.count;
}

void message_store::append(const std::string& conversation, const message& m) {
    pack(conversation, m, lists_[conversation]);
}

void message_store::put(const std::string& conversation, const list& all) {
    entry e;
    for (auto& m : all)
        pack(conversation, m, e);
    e.bytes.shrink_to_fit();
    lists_[conversation] = std::move(e);
}

} // namespace pancake::sim
