#include "protocol/codegen/runtime/testing_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>

namespace kasio::protocol::testing {
namespace {

// Deque: growing it never moves the buffers earlier views point into.
thread_local std::deque<byte_buffer> records_arena;

byte_buffer random_bytes(rng& g, std::size_t max_len) {
    byte_buffer b(g() % (max_len + 1));
    for (auto& c : b) c = static_cast<std::uint8_t>(g());
    return b;
}

}  // namespace

bytes_view store_random_records(bytes_view bytes) {
    return records_arena.emplace_back(bytes.begin(), bytes.end());
}

void clear_random_records() noexcept { records_arena.clear(); }

void random_field(double& x, rng& g, bool) {
    switch (g() % 4) {
    case 0: x = static_cast<double>(g() % 100) / 4; break;
    case 1: {
        const double special[] = {0.0, -0.0, std::numeric_limits<double>::infinity(),
                                  std::numeric_limits<double>::max(), std::numeric_limits<double>::denorm_min()};
        x = special[g() % 5];
        break;
    }
    default:
        do {
            std::uint64_t bits = g();
            std::memcpy(&x, &bits, sizeof x);
        } while (std::isnan(x));
    }
}

void random_field(uuid& x, rng& g, bool) {
    if (one_in(g, 4)) x = uuid{};
    else
        for (auto& b : x.bytes) b = static_cast<std::uint8_t>(g());
}

void random_field(std::string& s, rng& g, bool) {
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789._-";
    s.assign(g() % 9, ' ');
    for (char& c : s) c = alphabet[g() % (sizeof alphabet - 1)];
}

void random_field(std::optional<std::string>& s, rng& g, bool nullable) {
    if (nullable && one_in(g, 4)) s.reset();
    else random_field(s.emplace(), g);
}

void random_field(byte_buffer& b, rng& g, bool) { b = random_bytes(g, 8); }

void random_field(std::optional<byte_buffer>& b, rng& g, bool nullable) {
    if (nullable && one_in(g, 4)) b.reset();
    else b = random_bytes(g, 8);
}

void random_field(std::optional<bytes_view>& b, rng& g, bool nullable) {
    if (nullable && one_in(g, 4)) b.reset();
    else b = store_random_records(random_bytes(g, 32));
}

void random_unknown_tags(unknown_tagged_fields& u, rng& g, std::initializer_list<std::uint32_t> known) {
    u.clear();
    if (!one_in(g, 3)) return;
    std::uint32_t limit = 4;
    for (std::uint32_t k : known) limit = std::max(limit, k + 4);
    for (auto n = 1 + g() % 2; n > 0; --n) {
        auto tag = static_cast<std::uint32_t>(g() % limit);
        if (one_in(g, 8)) tag = 10000 + static_cast<std::uint32_t>(g() % 100);  // multi-byte varint
        bool taken = std::find(known.begin(), known.end(), tag) != known.end() ||
                     std::any_of(u.begin(), u.end(), [&](const auto& f) { return f.tag == tag; });
        if (!taken) u.push_back({tag, random_bytes(g, 4)});
    }
    std::sort(u.begin(), u.end(), [](const auto& a, const auto& b) { return a.tag < b.tag; });
}

const message_type* find_message_type(std::int16_t api_key, bool is_request) noexcept {
    for (const message_type& t : all_message_types())
        if (t.api_key == api_key && t.is_request == is_request) return &t;
    return nullptr;
}

}  // namespace kasio::protocol::testing
