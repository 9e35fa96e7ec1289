// CRC-32C: slicing-by-8 tables everywhere, SSE4.2 on x86-64 picked at run time.
#include "protocol/crc32c.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace kasio::protocol {
namespace {

constexpr std::uint32_t castagnoli_reflected = 0x82F63B78u;

using byte_tables = std::array<std::array<std::uint32_t, 256>, 8>;

// tables[0][b]: the register after feeding byte b into a zero register; tables[k][b]: the
// same byte followed by k zero bytes, which lets the loop consume 8 bytes per step.
constexpr byte_tables make_byte_tables() {
    byte_tables t{};
    for (std::uint32_t b = 0; b < 256; ++b) {
        std::uint32_t c = b;
        for (int bit = 0; bit < 8; ++bit) c = (c & 1u) ? (c >> 1) ^ castagnoli_reflected : c >> 1;
        t[0][b] = c;
    }
    for (std::size_t k = 1; k < 8; ++k)
        for (std::size_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xffu];
    return t;
}

constexpr byte_tables tables = make_byte_tables();

inline std::uint32_t update_byte(std::uint32_t c, std::uint8_t b) noexcept {
    return tables[0][(c ^ b) & 0xffu] ^ (c >> 8);
}

inline std::uint64_t load_le64(const std::uint8_t* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, 8);  // little-endian host (primitives.hpp asserts it)
    return v;
}

#if defined(__x86_64__)

// Three streams of block bytes run through the crc32 instruction side by side (its latency
// is 3 cycles, its throughput 1 per cycle), then are joined: for a CRC register,
// crc(A then B) = shift_|B|(crc(A)) ^ crc_from_zero(B), where shift_n is the linear map
// "feed n zero bytes", applied here through four 256-entry tables (one per register byte).
constexpr std::size_t long_block = 8192;
constexpr std::size_t short_block = 256;

struct shift_table {
    std::array<std::array<std::uint32_t, 256>, 4> t{};

    explicit shift_table(std::size_t zero_bytes) noexcept {
        std::uint32_t column[32];
        for (int j = 0; j < 32; ++j) {
            std::uint32_t v = 1u << j;
            for (std::size_t i = 0; i < zero_bytes; ++i) v = update_byte(v, 0);
            column[j] = v;
        }
        for (int k = 0; k < 4; ++k)
            for (std::uint32_t b = 0; b < 256; ++b) {
                std::uint32_t x = 0;
                for (int i = 0; i < 8; ++i)
                    if ((b >> i) & 1u) x ^= column[8 * k + i];
                t[static_cast<std::size_t>(k)][b] = x;
            }
    }

    std::uint32_t operator()(std::uint32_t c) const noexcept {
        return t[0][c & 0xffu] ^ t[1][(c >> 8) & 0xffu] ^ t[2][(c >> 16) & 0xffu] ^ t[3][c >> 24];
    }
};

struct shift_tables {
    shift_table long_shift{long_block};
    shift_table short_shift{short_block};
};

const shift_tables& shifts() noexcept {
    static const shift_tables s;  // built once (about 0.3 ms), thread-safe
    return s;
}

template <std::size_t Block>
__attribute__((target("sse4.2"))) inline std::uint64_t three_streams(
    std::uint64_t c0, const std::uint8_t*& p, std::size_t& n, const shift_table& shift) noexcept {
    while (n >= 3 * Block) {
        std::uint64_t c1 = 0, c2 = 0;
        const std::uint8_t* const end = p + Block;
        do {
            c0 = _mm_crc32_u64(c0, load_le64(p));
            c1 = _mm_crc32_u64(c1, load_le64(p + Block));
            c2 = _mm_crc32_u64(c2, load_le64(p + 2 * Block));
            p += 8;
        } while (p != end);
        c0 = shift(static_cast<std::uint32_t>(c0)) ^ c1;
        c0 = shift(static_cast<std::uint32_t>(c0)) ^ c2;
        p += 2 * Block;
        n -= 3 * Block;
    }
    return c0;
}

__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(std::uint32_t crc, const std::uint8_t* p,
                                                              std::size_t n) noexcept {
    std::uint64_t c = ~crc;
    while (n > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7u) != 0) {
        c = _mm_crc32_u8(static_cast<std::uint32_t>(c), *p++);
        --n;
    }
    if (n >= 3 * short_block) {
        const shift_tables& s = shifts();
        c = three_streams<long_block>(c, p, n, s.long_shift);
        c = three_streams<short_block>(c, p, n, s.short_shift);
    }
    for (; n >= 8; n -= 8, p += 8) c = _mm_crc32_u64(c, load_le64(p));
    for (; n > 0; --n) c = _mm_crc32_u8(static_cast<std::uint32_t>(c), *p++);
    return ~static_cast<std::uint32_t>(c);
}

#endif  // __x86_64__

}  // namespace

namespace detail {

std::uint32_t crc32c_portable(std::uint32_t crc, bytes_view data) noexcept {
    const std::uint8_t* p = data.data();
    std::size_t n = data.size();
    std::uint32_t c = ~crc;
    while (n > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7u) != 0) {
        c = update_byte(c, *p++);
        --n;
    }
    for (; n >= 8; n -= 8, p += 8) {
        // Byte i of the word still has 7 - i bytes to travel through: table 7 - i.
        const std::uint64_t w = load_le64(p) ^ c;
        c = tables[7][w & 0xffu] ^ tables[6][(w >> 8) & 0xffu] ^ tables[5][(w >> 16) & 0xffu] ^
            tables[4][(w >> 24) & 0xffu] ^ tables[3][(w >> 32) & 0xffu] ^ tables[2][(w >> 40) & 0xffu] ^
            tables[1][(w >> 48) & 0xffu] ^ tables[0][w >> 56];
    }
    for (; n > 0; --n) c = update_byte(c, *p++);
    return ~c;
}

bool crc32c_hardware_available() noexcept {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2");
#else
    return false;
#endif
}

std::uint32_t crc32c_hardware(std::uint32_t crc, bytes_view data) noexcept {
#if defined(__x86_64__)
    static const bool hardware = crc32c_hardware_available();
    if (hardware) return crc32c_sse42(crc, data.data(), data.size());
#endif
    return crc32c_portable(crc, data);
}

}  // namespace detail

std::uint32_t crc32c(std::uint32_t crc, bytes_view data) noexcept {
#if defined(__x86_64__)
    static const bool hardware = detail::crc32c_hardware_available();
    if (hardware) return crc32c_sse42(crc, data.data(), data.size());
#endif
    return detail::crc32c_portable(crc, data);
}

}  // namespace kasio::protocol
