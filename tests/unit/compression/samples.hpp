#pragma once
// Inputs for the codec tests: deterministic payloads, and compression bombs built chunk by chunk
// so that no test holds the whole decompressed size in memory.
#include "compression/codec.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kasio::compression::test {

using bytes = std::vector<std::uint8_t>;

inline constexpr codec all_codecs[] = {codec::none, codec::gzip, codec::snappy, codec::lz4,
                                       codec::zstd};

/// Uniform random bytes (incompressible).
bytes random_bytes(std::size_t n, std::uint32_t seed);
/// A short pattern repeated (compresses extremely well).
bytes repetitive_bytes(std::size_t n);
/// JSON-like log records with varying ids, timestamps and words, like a produce batch.
bytes text_records(std::size_t n, std::uint32_t seed);

/// `zeros` zero bytes in the codec's wire format, encoded without materialising them.
/// For snappy, `xerial` picks the framing (else raw snappy, as librdkafka writes).
bytes zero_bomb(codec c, std::size_t zeros, bool xerial = true);

/// Raw snappy, one stream with its length first (what librdkafka writes).
bytes raw_snappy(const std::uint8_t* data, std::size_t n);

/// One zstd frame streamed so that its header has no content size, like zstd-jni's
/// ZstdOutputStream in the Java producer. window_log 0 keeps the level's own window.
bytes zstd_streamed(const bytes& in, int level, int window_log = 0);

/// Compresses or fails the test.
bytes compressed(codec c, const bytes& in, int level = default_level);

}  // namespace kasio::compression::test
