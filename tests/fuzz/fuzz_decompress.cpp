// libFuzzer target for each codec's decompressor. Byte 0 picks the codec (gzip, snappy raw or
// xerial, lz4 frame, zstd); the output cap is 1 MiB, and going past it is a bug.
#include "compression/codec.hpp"

#include <cstdlib>

using namespace kasio::compression;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    constexpr std::size_t cap = 1 << 20;
    const auto c = static_cast<codec>(data[0] % 5);
    std::vector<std::uint8_t> out;
    const auto ec = decompress(c, {data + 1, size - 1}, out, cap);
    if (out.size() > cap) std::abort();
    if (ec && !out.empty()) std::abort();  // a failed call leaves the output as it found it
    return 0;
}
