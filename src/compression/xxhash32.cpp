// XXH32 as specified in xxHash's doc/xxhash_spec.md (32-bit variant); only short headers go
// through it, so it favours plainness over speed.
#include "compression/xxhash32.hpp"

#include <bit>

namespace kasio::compression::detail {
namespace {

constexpr std::uint32_t prime1 = 0x9E3779B1U;
constexpr std::uint32_t prime2 = 0x85EBCA77U;
constexpr std::uint32_t prime3 = 0xC2B2AE3DU;
constexpr std::uint32_t prime4 = 0x27D4EB2FU;
constexpr std::uint32_t prime5 = 0x165667B1U;

std::uint32_t read_le32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
           std::uint32_t{p[3]} << 24;
}

std::uint32_t round(std::uint32_t acc, std::uint32_t lane) {
    return std::rotl(acc + lane * prime2, 13) * prime1;
}

}  // namespace

std::uint32_t xxh32(std::span<const std::uint8_t> data, std::uint32_t seed) noexcept {
    const std::uint8_t* p = data.data();
    std::size_t left = data.size();
    std::uint32_t h = 0;
    if (left >= 16) {
        std::uint32_t v1 = seed + prime1 + prime2;
        std::uint32_t v2 = seed + prime2;
        std::uint32_t v3 = seed;
        std::uint32_t v4 = seed - prime1;
        for (; left >= 16; p += 16, left -= 16) {
            v1 = round(v1, read_le32(p));
            v2 = round(v2, read_le32(p + 4));
            v3 = round(v3, read_le32(p + 8));
            v4 = round(v4, read_le32(p + 12));
        }
        h = std::rotl(v1, 1) + std::rotl(v2, 7) + std::rotl(v3, 12) + std::rotl(v4, 18);
    } else {
        h = seed + prime5;
    }
    h += static_cast<std::uint32_t>(data.size());
    for (; left >= 4; p += 4, left -= 4) h = std::rotl(h + read_le32(p) * prime3, 17) * prime4;
    for (; left > 0; ++p, --left) h = std::rotl(h + *p * prime5, 11) * prime1;
    h ^= h >> 15;
    h *= prime2;
    h ^= h >> 13;
    h *= prime3;
    h ^= h >> 16;
    return h;
}

}  // namespace kasio::compression::detail
