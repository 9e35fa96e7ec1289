// Codec names, level ranges and the dispatch to one file per codec.
#include "compression/codec.hpp"

#include "compression/codecs.hpp"

#include <zstd.h>

namespace kasio::compression {

std::string_view to_string(codec c) noexcept {
    switch (c) {
    case codec::none: return "none";
    case codec::gzip: return "gzip";
    case codec::snappy: return "snappy";
    case codec::lz4: return "lz4";
    case codec::zstd: return "zstd";
    }
    return "unknown";
}

std::optional<codec> codec_from_name(std::string_view name) noexcept {
    for (codec c : {codec::none, codec::gzip, codec::snappy, codec::lz4, codec::zstd}) {
        if (name == to_string(c)) return c;
    }
    return std::nullopt;
}

bool is_valid_level(codec c, int level) noexcept {
    if (level == default_level) return true;
    switch (c) {
    case codec::none:
    case codec::snappy: return true;  // Kafka ignores compression.level for these
    case codec::gzip: return level == -1 || (level >= 1 && level <= 9);  // -1: zlib's default
    case codec::lz4: return level >= 1 && level <= 17;
    case codec::zstd: return level >= ZSTD_minCLevel() && level <= ZSTD_maxCLevel();
    }
    return false;
}

error_code compress(codec c, std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out,
                    int level) {
    if (static_cast<std::uint8_t>(c) > static_cast<std::uint8_t>(codec::zstd)) {
        return client_errc::unsupported_codec;
    }
    if (!is_valid_level(c, level)) return client_errc::invalid_config;
    switch (c) {
    case codec::none: out.insert(out.end(), in.begin(), in.end()); return {};
    case codec::gzip: return detail::gzip_compress(in, out, level);
    case codec::snappy: return detail::snappy_compress(in, out);
    case codec::lz4: return detail::lz4_compress(in, out, level);
    case codec::zstd: return detail::zstd_compress(in, out, level);
    }
    return client_errc::unsupported_codec;
}

error_code decompress(codec c, std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out,
                      std::size_t max_out) {
    switch (c) {
    case codec::none:
        if (in.size() > max_out) return client_errc::decompressed_size_limit;
        out.insert(out.end(), in.begin(), in.end());
        return {};
    case codec::gzip: return detail::gzip_decompress(in, out, max_out);
    case codec::snappy: return detail::snappy_decompress(in, out, max_out);
    case codec::lz4: return detail::lz4_decompress(in, out, max_out);
    case codec::zstd: return detail::zstd_decompress(in, out, max_out);
    }
    return client_errc::unsupported_codec;
}

}  // namespace kasio::compression
