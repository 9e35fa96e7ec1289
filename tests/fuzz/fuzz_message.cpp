// libFuzzer target for the decoders of one API (KASIO_FUZZ_API, e.g. "metadata"); one
// executable per API, made by tests/fuzz/CMakeLists.txt.
//
// Input: byte 0 selects the decoder: bit 0 = response, the other bits pick the version
// (modulo the API's version count); the rest is the message body. Whatever decodes must
// re-encode to exactly encoded_size bytes, and that canonical encoding must decode and
// re-encode to itself.
#include "protocol/messages_testing.hpp"

#include <cstdlib>

#ifndef KASIO_FUZZ_API
#error "define KASIO_FUZZ_API as the api name, e.g. \"metadata\""
#endif

namespace {

using namespace kasio::protocol;

const testing::message_type* find(bool is_request) {
    for (const auto& t : testing::all_message_types())
        if (t.api_name == KASIO_FUZZ_API && t.is_request == is_request) return &t;
    std::abort();  // KASIO_FUZZ_API names no generated API
}

byte_buffer encode_checked(const testing::erased_message& m, std::int16_t v) {
    byte_buffer out;
    writer w(out);
    m.write(w, v);
    if (out.size() != m.size(v)) std::abort();
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const testing::message_type* const request = find(true);
    static const testing::message_type* const response = find(false);
    const testing::message_type& t = (data[0] & 1) ? *response : *request;
    const auto v = static_cast<std::int16_t>(t.min_version + (data[0] >> 1) % (t.max_version - t.min_version + 1));

    auto m = t.make();
    reader r(bytes_view(data + 1, size - 1));
    if (m->read(r, v)) return 0;
    const byte_buffer once = encode_checked(*m, v);
    auto again = t.make();
    reader r2(once);
    if (again->read(r2, v) || r2.remaining() != 0) std::abort();
    if (encode_checked(*again, v) != once) std::abort();
    return 0;
}
