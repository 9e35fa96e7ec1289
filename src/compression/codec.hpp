#pragma once
/// Kafka's record batch codecs over plain bytes, each decoder with a hard cap on its output.
///
/// Wire formats are the ones Kafka clients exchange (attributes bits 0-2 of a record batch):
///   gzip    RFC 1952 gzip members (zlib streams are accepted too when decoding).
///   snappy  written in the xerial framing the Java producer uses (SnappyOutputStream, 32 KiB
///           blocks); raw snappy (what librdkafka writes) and xerial are both decoded.
///   lz4     the LZ4 frame format with independent 64 KiB blocks and a correct header checksum
///           (what Java writes for magic v1+ and librdkafka for all); decoding also accepts the
///           wrong header checksum of Kafka's magic v0 writers.
///   zstd    zstd frames (concatenated frames decode as one stream).
///
/// Thread safety: every function may be called from any thread at once. Each thread keeps its
/// own codec contexts (thread_local) so that the hot path does not allocate them per call.
/// Nothing here includes Asio: this layer sits below the protocol.
#include <kasio/error.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace kasio::compression {

/// The codec id, equal to the value of record batch attribute bits 0-2.
enum class codec : std::uint8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };

/// Kafka's name for `c` ("none", "gzip", ...); "unknown" for a value outside the enum.
std::string_view to_string(codec c) noexcept;

/// The codec Kafka calls `name` (compression.type values; exact, lowercase).
std::optional<codec> codec_from_name(std::string_view name) noexcept;

/// Asks for the codec's own default level (Kafka's compression.level left unset).
inline constexpr int default_level = INT32_MIN;

/// True when compress() accepts `level` for `c`. Ranges are Kafka's compression.level ones:
/// gzip 1..9 or -1, lz4 1..17, zstd -131072..22; none and snappy ignore the level.
/// default_level is valid for every codec.
bool is_valid_level(codec c, int level) noexcept;

/// Appends the compressed form of `in` to `out`.
///
/// Errors: unsupported_codec (unknown `c`), invalid_config (level outside is_valid_level),
/// compression_failed (the codec library failed). On error `out` keeps its original size.
error_code compress(codec c, std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out,
                    int level = default_level);

/// Appends the decompressed form of `in` to `out`, producing at most `max_out` bytes.
///
/// Whatever sizes the input announces, memory grows to at most about `max_out` plus a constant
/// per codec (zstd's window, lz4's block buffers), so a compression bomb is only an error.
/// Errors: decompressed_size_limit (the output would exceed `max_out`), decompression_failed
/// (corrupt or truncated input, or bytes after the end of the compressed stream),
/// unsupported_codec. On error `out` keeps its original size (capacity may have grown).
error_code decompress(codec c, std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out,
                      std::size_t max_out);

}  // namespace kasio::compression
