#pragma once
// XXH32, the checksum of the LZ4 frame format. liblz4 keeps its copy private; the lz4 decoder
// needs one to tell Kafka's legacy frame header checksum from a corrupt one.
#include <cstdint>
#include <span>

namespace kasio::compression::detail {

std::uint32_t xxh32(std::span<const std::uint8_t> data, std::uint32_t seed) noexcept;

}  // namespace kasio::compression::detail
