// kasio::uuid's text form: Java's Uuid.toString(), URL-safe base64 without padding, so that a
// topic id printed by kasio matches the one kafka-topics.sh and the Java Admin print.
#include <kasio/metadata.hpp>

namespace kasio {
namespace {

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int sextet(char c) {
    const auto at = alphabet.find(c);
    return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

}  // namespace

std::string uuid::to_string() const {
    std::string out;
    out.reserve(22);
    std::uint32_t acc = 0;
    int bits = 0;
    for (std::uint8_t b : bytes) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(alphabet[(acc >> bits) & 0x3f]);
        }
    }
    if (bits > 0) out.push_back(alphabet[(acc << (6 - bits)) & 0x3f]);  // 128 bits: 2 left over
    return out;
}

std::optional<uuid> uuid::parse(std::string_view text) {
    if (text.size() != 22) return std::nullopt;
    uuid out;
    std::uint32_t acc = 0;
    int bits = 0;
    std::size_t n = 0;
    for (char c : text) {
        const int v = sextet(c);
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n == out.bytes.size()) return std::nullopt;
            out.bytes[n++] = static_cast<std::uint8_t>((acc >> bits) & 0xff);
        }
    }
    // The last character carries 2 bits of data and 4 of padding, which must be zero.
    if (n != out.bytes.size() || (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

}  // namespace kasio
