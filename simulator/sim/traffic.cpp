#include "traffic.hpp"

#include <boost/json.hpp>

#include <array>
#include <cmath>
#include <map>

namespace pancake::sim {

namespace json = boost::json;

namespace {

// Precomposed Vietnamese letters: base letter and their combining marks in canonical order
// (generated from Unicode's NFD decompositions).
struct vi_letter {
    char32_t cp;
    char base;
    char32_t mark1, mark2;
};
constexpr vi_letter vi_letters[] = {
    {0x00C0, 'A', 0x300, 0x000}, {0x00C1, 'A', 0x301, 0x000}, {0x00C2, 'A', 0x302, 0x000}, {0x00C3, 'A', 0x303, 0x000},
    {0x00C8, 'E', 0x300, 0x000}, {0x00C9, 'E', 0x301, 0x000}, {0x00CA, 'E', 0x302, 0x000}, {0x00CC, 'I', 0x300, 0x000},
    {0x00CD, 'I', 0x301, 0x000}, {0x00CE, 'I', 0x302, 0x000}, {0x00D1, 'N', 0x303, 0x000}, {0x00D2, 'O', 0x300, 0x000},
    {0x00D3, 'O', 0x301, 0x000}, {0x00D4, 'O', 0x302, 0x000}, {0x00D5, 'O', 0x303, 0x000}, {0x00D9, 'U', 0x300, 0x000},
    {0x00DA, 'U', 0x301, 0x000}, {0x00DB, 'U', 0x302, 0x000}, {0x00DD, 'Y', 0x301, 0x000}, {0x00E0, 'a', 0x300, 0x000},
    {0x00E1, 'a', 0x301, 0x000}, {0x00E2, 'a', 0x302, 0x000}, {0x00E3, 'a', 0x303, 0x000}, {0x00E8, 'e', 0x300, 0x000},
    {0x00E9, 'e', 0x301, 0x000}, {0x00EA, 'e', 0x302, 0x000}, {0x00EC, 'i', 0x300, 0x000}, {0x00ED, 'i', 0x301, 0x000},
    {0x00EE, 'i', 0x302, 0x000}, {0x00F1, 'n', 0x303, 0x000}, {0x00F2, 'o', 0x300, 0x000}, {0x00F3, 'o', 0x301, 0x000},
    {0x00F4, 'o', 0x302, 0x000}, {0x00F5, 'o', 0x303, 0x000}, {0x00F9, 'u', 0x300, 0x000}, {0x00FA, 'u', 0x301, 0x000},
    {0x00FB, 'u', 0x302, 0x000}, {0x00FD, 'y', 0x301, 0x000}, {0x0102, 'A', 0x306, 0x000}, {0x0103, 'a', 0x306, 0x000},
    {0x0106, 'C', 0x301, 0x000}, {0x0107, 'c', 0x301, 0x000}, {0x0108, 'C', 0x302, 0x000}, {0x0109, 'c', 0x302, 0x000},
    {0x0114, 'E', 0x306, 0x000}, {0x0115, 'e', 0x306, 0x000}, {0x011C, 'G', 0x302, 0x000}, {0x011D, 'g', 0x302, 0x000},
    {0x011E, 'G', 0x306, 0x000}, {0x011F, 'g', 0x306, 0x000}, {0x0124, 'H', 0x302, 0x000}, {0x0125, 'h', 0x302, 0x000},
    {0x0128, 'I', 0x303, 0x000}, {0x0129, 'i', 0x303, 0x000}, {0x012C, 'I', 0x306, 0x000}, {0x012D, 'i', 0x306, 0x000},
    {0x0134, 'J', 0x302, 0x000}, {0x0135, 'j', 0x302, 0x000}, {0x0139, 'L', 0x301, 0x000}, {0x013A, 'l', 0x301, 0x000},
    {0x0143, 'N', 0x301, 0x000}, {0x0144, 'n', 0x301, 0x000}, {0x014E, 'O', 0x306, 0x000}, {0x014F, 'o', 0x306, 0x000},
    {0x0154, 'R', 0x301, 0x000}, {0x0155, 'r', 0x301, 0x000}, {0x015A, 'S', 0x301, 0x000}, {0x015B, 's', 0x301, 0x000},
    {0x015C, 'S', 0x302, 0x000}, {0x015D, 's', 0x302, 0x000}, {0x0168, 'U', 0x303, 0x000}, {0x0169, 'u', 0x303, 0x000},
    {0x016C, 'U', 0x306, 0x000}, {0x016D, 'u', 0x306, 0x000}, {0x0174, 'W', 0x302, 0x000}, {0x0175, 'w', 0x302, 0x000},
    {0x0176, 'Y', 0x302, 0x000}, {0x0177, 'y', 0x302, 0x000}, {0x0179, 'Z', 0x301, 0x000}, {0x017A, 'z', 0x301, 0x000},
    {0x01A0, 'O', 0x31B, 0x000}, {0x01A1, 'o', 0x31B, 0x000}, {0x01AF, 'U', 0x31B, 0x000}, {0x01B0, 'u', 0x31B, 0x000},
    {0x1EA0, 'A', 0x323, 0x000}, {0x1EA1, 'a', 0x323, 0x000}, {0x1EA2, 'A', 0x309, 0x000}, {0x1EA3, 'a', 0x309, 0x000},
    {0x1EA4, 'A', 0x302, 0x301}, {0x1EA5, 'a', 0x302, 0x301}, {0x1EA6, 'A', 0x302, 0x300}, {0x1EA7, 'a', 0x302, 0x300},
    {0x1EA8, 'A', 0x302, 0x309}, {0x1EA9, 'a', 0x302, 0x309}, {0x1EAA, 'A', 0x302, 0x303}, {0x1EAB, 'a', 0x302, 0x303},
    {0x1EAC, 'A', 0x323, 0x302}, {0x1EAD, 'a', 0x323, 0x302}, {0x1EAE, 'A', 0x306, 0x301}, {0x1EAF, 'a', 0x306, 0x301},
    {0x1EB0, 'A', 0x306, 0x300}, {0x1EB1, 'a', 0x306, 0x300}, {0x1EB2, 'A', 0x306, 0x309}, {0x1EB3, 'a', 0x306, 0x309},
    {0x1EB4, 'A', 0x306, 0x303}, {0x1EB5, 'a', 0x306, 0x303}, {0x1EB6, 'A', 0x323, 0x306}, {0x1EB7, 'a', 0x323, 0x306},
    {0x1EB8, 'E', 0x323, 0x000}, {0x1EB9, 'e', 0x323, 0x000}, {0x1EBA, 'E', 0x309, 0x000}, {0x1EBB, 'e', 0x309, 0x000},
    {0x1EBC, 'E', 0x303, 0x000}, {0x1EBD, 'e', 0x303, 0x000}, {0x1EBE, 'E', 0x302, 0x301}, {0x1EBF, 'e', 0x302, 0x301},
    {0x1EC0, 'E', 0x302, 0x300}, {0x1EC1, 'e', 0x302, 0x300}, {0x1EC2, 'E', 0x302, 0x309}, {0x1EC3, 'e', 0x302, 0x309},
    {0x1EC4, 'E', 0x302, 0x303}, {0x1EC5, 'e', 0x302, 0x303}, {0x1EC6, 'E', 0x323, 0x302}, {0x1EC7, 'e', 0x323, 0x302},
    {0x1EC8, 'I', 0x309, 0x000}, {0x1EC9, 'i', 0x309, 0x000}, {0x1ECA, 'I', 0x323, 0x000}, {0x1ECB, 'i', 0x323, 0x000},
    {0x1ECC, 'O', 0x323, 0x000}, {0x1ECD, 'o', 0x323, 0x000}, {0x1ECE, 'O', 0x309, 0x000}, {0x1ECF, 'o', 0x309, 0x000},
    {0x1ED0, 'O', 0x302, 0x301}, {0x1ED1, 'o', 0x302, 0x301}, {0x1ED2, 'O', 0x302, 0x300}, {0x1ED3, 'o', 0x302, 0x300},
    {0x1ED4, 'O', 0x302, 0x309}, {0x1ED5, 'o', 0x302, 0x309}, {0x1ED6, 'O', 0x302, 0x303}, {0x1ED7, 'o', 0x302, 0x303},
    {0x1ED8, 'O', 0x323, 0x302}, {0x1ED9, 'o', 0x323, 0x302}, {0x1EDA, 'O', 0x31B, 0x301}, {0x1EDB, 'o', 0x31B, 0x301},
    {0x1EDC, 'O', 0x31B, 0x300}, {0x1EDD, 'o', 0x31B, 0x300}, {0x1EDE, 'O', 0x31B, 0x309}, {0x1EDF, 'o', 0x31B, 0x309},
    {0x1EE0, 'O', 0x31B, 0x303}, {0x1EE1, 'o', 0x31B, 0x303}, {0x1EE2, 'O', 0x31B, 0x323}, {0x1EE3, 'o', 0x31B, 0x323},
    {0x1EE4, 'U', 0x323, 0x000}, {0x1EE5, 'u', 0x323, 0x000}, {0x1EE6, 'U', 0x309, 0x000}, {0x1EE7, 'u', 0x309, 0x000},
    {0x1EE8, 'U', 0x31B, 0x301}, {0x1EE9, 'u', 0x31B, 0x301}, {0x1EEA, 'U', 0x31B, 0x300}, {0x1EEB, 'u', 0x31B, 0x300},
    {0x1EEC, 'U', 0x31B, 0x309}, {0x1EED, 'u', 0x31B, 0x309}, {0x1EEE, 'U', 0x31B, 0x303}, {0x1EEF, 'u', 0x31B, 0x303},
    {0x1EF0, 'U', 0x31B, 0x323}, {0x1EF1, 'u', 0x31B, 0x323}, {0x1EF2, 'Y', 0x300, 0x000}, {0x1EF3, 'y', 0x300, 0x000},
    {0x1EF4, 'Y', 0x323, 0x000}, {0x1EF5, 'y', 0x323, 0x000}, {0x1EF6, 'Y', 0x309, 0x000}, {0x1EF7, 'y', 0x309, 0x000},
    {0x1EF8, 'Y', 0x303, 0x000}, {0x1EF9, 'y', 0x303, 0x000},
};

void put_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

// Code points of well-formed UTF-8 (the generator's own text); a stray byte passes as itself.
std::vector<char32_t> code_points(std::string_view s) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        const std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 1;
        if (n == 1 || i + n > s.size()) {
            out.push_back(b);
            ++i;
            continue;
        }
        char32_t c = b & (0xFF >> (n + 1));
        for (std::size_t k = 1; k < n; ++k)
            c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        out.push_back(c);
        i += n;
    }
    return out;
}

const vi_letter* find_letter(char32_t c) {
    for (auto& l : vi_letters)
        if (l.cp == c) return &l;
    return nullptr;
}

const vi_letter* find_letter(char base, char32_t m1, char32_t m2) {
    for (auto& l : vi_letters)
        if (l.base == base && l.mark1 == m1 && l.mark2 == m2) return &l;
    return nullptr;
}

constexpr char32_t d_stroke = 0x111, D_stroke = 0x110;

// splitmix64: the same numbers everywhere (std distributions differ between libraries).
struct rng {
    std::uint64_t s;
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
    template <class T, std::size_t N>
    const T& pick(const std::array<T, N>& a) {
        return a[below(N)];
    }
};

struct intent_phrases {
    const char* intent;
    unsigned weight;
    std::array<const char*, 5> phrases; // {p} product, {n} count, {s} size, {c} city
};

// What shop customers write, by what they want. Which tags a text gets is the bot's rules'
// business (bot --explain), not this table's.
constexpr std::array<intent_phrases, 6> intents{{
    {"order",
     24,
     {"Cho mình đặt hàng {p} size {s} nhé", "Em muốn mua {n} cái {p} ạ", "Shop ơi chốt đơn {p} màu đen giúp mình",
      "Mình lấy {n} {p}, đặt hàng luôn nha", "Còn {p} không shop, mình mua 1 cái"}},
    {"price",
     22,
     {"{p} giá bao nhiêu vậy shop?", "Cho hỏi giá {p} size {s}", "Bao nhiêu tiền 1 {p} ạ?", "Shop báo giá {p} giúp em",
      "{p} này bao nhiêu vậy ạ"}},
    {"delivery",
     16,
     {"Ship về {c} mất mấy ngày shop?", "Bao giờ giao hàng vậy shop, mình chờ mãi",
      "Có được kiểm hàng trước khi nhận không ạ?", "Phí vận chuyển ra {c} thế nào shop?",
      "Shop giao hàng tận nơi ở {c} không?"}},
    {"return",
     10,
     {"Mình muốn đổi trả {p} vì không vừa", "Cho em đổi size {p} sang {s} được không?",
      "Hàng không giống hình, shop hoàn tiền giúp mình", "Đổi trả {p} thế nào vậy shop?",
      "{p} rộng quá, cho mình đổi size nhé"}},
    {"complaint",
     10,
     {"Mình muốn khiếu nại, {p} bị lỗi đường may", "Giao sai màu rồi shop ơi, thất vọng quá",
      "Hàng lỗi mà nhắn mãi không ai trả lời", "Khiếu nại: {p} nhận được bị rách",
      "{p} bị lỗi khóa kéo, shop xử lý sao đây"}},
    {"none",
     18,
     {"Shop ơi", "Cảm ơn shop nhiều nha", "Ok ạ, để mình xem thêm", "Hôm nay shop mở cửa đến mấy giờ?",
      "Mẫu này đẹp quá"}},
}};

constexpr std::array<const char*, 7> products{"áo thun",     "váy hoa",  "quần jean", "áo khoác",
                                              "đầm dự tiệc", "chân váy", "áo sơ mi"};
constexpr std::array<const char*, 4> sizes{"S", "M", "L", "XL"};
constexpr std::array<const char*, 5> cities{"Hà Nội", "Đà Nẵng", "Cần Thơ", "Huế", "Hải Phòng"};
constexpr std::array<const char*, 8> families{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"};
constexpr std::array<const char*, 5> middles{"Thị", "Văn", "Minh", "Ngọc", "Thu"};
constexpr std::array<const char*, 10> givens{"Lan",  "Hùng", "Mai",  "Tuấn",  "Hương",
                                             "Dũng", "Linh", "Quân", "Trang", "Phúc"};

std::string fill(std::string_view pattern, rng& r) {
    std::string out;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}') {
            switch (pattern[i + 1]) {
            case 'p':
                out += r.pick(products);
                break;
            case 's':
                out += r.pick(sizes);
                break;
            case 'c':
                out += r.pick(cities);
                break;
            case 'n':
                out += std::to_string(1 + r.below(3));
                break;
            default:
                out.append(pattern.substr(i, 3));
            }
            i += 2;
            continue;
        }
        out += pattern[i];
    }
    // A sentence starts with a capital ({p} first: "áo thun giá…" → "Áo thun giá…").
    auto cps = code_points(out);
    if (!cps.empty()) {
        std::string head;
        put_utf8(head, cps[0]);
        auto up = vi_upper(head);
        out = up + out.substr(head.size());
    }
    return out;
}

} // namespace

std::string vi_decompose(std::string_view nfc) {
    std::string out;
    for (char32_t c : code_points(nfc)) {
        if (auto* l = find_letter(c)) {
            out += l->base;
            put_utf8(out, l->mark1);
            if (l->mark2) put_utf8(out, l->mark2);
        } else {
            put_utf8(out, c);
        }
    }
    return out;
}

std::string vi_strip_accents(std::string_view nfc) {
    std::string out;
    for (char32_t c : code_points(nfc)) {
        if (auto* l = find_letter(c))
            out += l->base;
        else if (c == d_stroke)
            out += 'd';
        else if (c == D_stroke)
            out += 'D';
        else if (c >= 0x300 && c <= 0x36F)
            continue; // a combining mark of decomposed input
        else
            put_utf8(out, c);
    }
    return out;
}

std::string vi_upper(std::string_view nfc) {
    std::string out;
    for (char32_t c : code_points(nfc)) {
        if (c >= 'a' && c <= 'z')
            out += static_cast<char>(c - 'a' + 'A');
        else if (c == d_stroke)
            put_utf8(out, D_stroke);
        else if (auto* l = find_letter(c); l && l->base >= 'a' && l->base <= 'z') {
            auto* u = find_letter(static_cast<char>(l->base - 'a' + 'A'), l->mark1, l->mark2);
            put_utf8(out, u ? u->cp : c);
        } else
            put_utf8(out, c);
    }
    return out;
}

bool parse_traffic_plan(const json::value& v, traffic_plan& out, std::string& err) {
    const auto* o = v.if_object();
    if (!o) {
        err = "expected a JSON object";
        return false;
    }
    traffic_plan p;
    auto number = [&](std::string_view k, double lo, double hi, double& dst) {
        const auto* x = o->if_contains(k);
        if (!x) return true;
        if (!x->is_number()) {
            err = std::string(k) + " must be a number";
            return false;
        }
        const double d = x->to_number<double>();
        if (!(d >= lo && d <= hi)) {
            err = std::string(k) + " must be from " + json::serialize(json::value(lo)) + " to " +
                  json::serialize(json::value(hi));
            return false;
        }
        dst = d;
        return true;
    };
    for (auto& [k, x] : *o)
        if (k != "page_id" && k != "messages" && k != "per_second" && k != "seed" && k != "customers") {
            err = "unknown field " + std::string(k) + " (page_id, messages, per_second, seed, customers)";
            return false;
        }
    const auto* page = o->if_contains("page_id");
    if (!page || !page->is_string() || page->as_string().empty()) {
        err = "page_id is required (a string)";
        return false;
    }
    p.page_id = page->as_string();
    double messages = -1, customers = static_cast<double>(p.customers), seed = 1;
    if (!number("messages", 1, 100000, messages) || !number("per_second", 0.001, 1000, p.per_second) ||
        !number("customers", 1, 99999, customers) || !number("seed", 0, 9007199254740991.0, seed))
        return false;
    if (messages < 0) {
        err = "messages is required (1 to 100000)";
        return false;
    }
    if (messages != std::floor(messages) || customers != std::floor(customers) || seed != std::floor(seed)) {
        err = "messages, customers and seed must be integers";
        return false;
    }
    p.messages = static_cast<std::size_t>(messages);
    p.customers = static_cast<std::size_t>(customers);
    p.seed = static_cast<std::uint64_t>(seed);
    out = std::move(p);
    return true;
}

std::vector<traffic_message> generate_traffic(const traffic_plan& plan) {
    rng r{plan.seed * 0x2545F4914F6CDD1Dull + 0x1234567ull};
    unsigned total_weight = 0;
    for (auto& i : intents)
        total_weight += i.weight;
    struct customer {
        std::string psid, name;
    };
    std::vector<customer> seen; // customers who wrote, in order of their first message
    std::vector<traffic_message> out;
    out.reserve(plan.messages);
    for (std::size_t i = 0; i < plan.messages; ++i) {
        traffic_message m;
        m.index = i;
        m.at_s = static_cast<double>(i) / plan.per_second;
        // A new customer (while some have not written yet), or one coming back.
        const bool fresh = seen.size() < plan.customers && (seen.empty() || r.below(100) < 60);
        if (fresh) {
            const auto n = seen.size();
            customer c;
            c.psid = std::to_string(290'000'000'000'000ull + (plan.seed % 1000) * 100'000 + n);
            c.name = std::string(r.pick(families)) + " " + r.pick(middles) + " " + r.pick(givens);
            seen.push_back(std::move(c));
        }
        const auto& who = fresh ? seen.back() : seen[r.below(seen.size())];
        m.psid = who.psid;
        m.name = who.name;
        m.returning = !fresh;
        m.conversation_id = plan.page_id + "_" + m.psid;
        auto w = static_cast<unsigned>(r.below(total_weight));
        const intent_phrases* in = &intents.back();
        for (auto& x : intents) {
            if (w < x.weight) {
                in = &x;
                break;
            }
            w -= x.weight;
        }
        m.intent = in->intent;
        const auto text = fill(in->phrases[r.below(in->phrases.size())], r);
        const auto form = r.below(100);
        if (form < 40) {
            m.form = "nfc";
            m.text = text;
        } else if (form < 65) {
            m.form = "plain";
            m.text = vi_strip_accents(text);
        } else if (form < 85) {
            m.form = "nfd";
            m.text = vi_decompose(text);
        } else {
            m.form = "upper";
            m.text = vi_upper(text);
        }
        out.push_back(std::move(m));
    }
    return out;
}

json::value to_json(const traffic_message& m) {
    return json::object{{"index", m.index},   {"at_s", m.at_s}, {"conversation_id", m.conversation_id},
                        {"psid", m.psid},     {"name", m.name}, {"text", m.text},
                        {"intent", m.intent}, {"form", m.form}, {"returning", m.returning}};
}

json::value to_json(const traffic_plan& p) {
    return json::object{{"page_id", p.page_id},
                        {"messages", p.messages},
                        {"per_second", p.per_second},
                        {"seed", p.seed},
                        {"customers", p.customers}};
}

} // namespace pancake::sim
