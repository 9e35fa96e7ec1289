#pragma once
// One compress/decompress pair per codec, behind codec.cpp's dispatch. The dispatcher has
// already checked the level (is_valid_level); each pair keeps `out` at its entry size on error.
#include <kasio/error.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace kasio::compression::detail {

using bytes_view = std::span<const std::uint8_t>;
using byte_vector = std::vector<std::uint8_t>;

error_code gzip_compress(bytes_view in, byte_vector& out, int level);
error_code gzip_decompress(bytes_view in, byte_vector& out, std::size_t max_out);

error_code snappy_compress(bytes_view in, byte_vector& out);
error_code snappy_decompress(bytes_view in, byte_vector& out, std::size_t max_out);

error_code lz4_compress(bytes_view in, byte_vector& out, int level);
error_code lz4_decompress(bytes_view in, byte_vector& out, std::size_t max_out);

error_code zstd_compress(bytes_view in, byte_vector& out, int level);
error_code zstd_decompress(bytes_view in, byte_vector& out, std::size_t max_out);

}  // namespace kasio::compression::detail
