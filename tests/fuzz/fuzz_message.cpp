// libFuzzer target for the decoders of one API (KASIO_FUZZ_API, e.g. "metadata") or of one data
// schema (KASIO_FUZZ_DATA, e.g. "consumer_protocol_subscription"); one executable per API and
// per data schema, made by tests/fuzz/CMakeLists.txt.
//
// Input: byte 0 selects the decoder: for an API bit 0 = response, the other bits pick the
// version (modulo the API's version count); for a data schema all its bits pick the version. The
// rest is the message body. Whatever decodes must
// re-encode to exactly encoded_size bytes, and that canonical encoding must decode and
// re-encode to itself.
#include "protocol/messages_testing.hpp"

#include <cstdlib>

#if defined(KASIO_FUZZ_API) == defined(KASIO_FUZZ_DATA)
#error "define KASIO_FUZZ_API as the api name, e.g. \"metadata\", or KASIO_FUZZ_DATA as a data schema name"
#endif

namespace {

using namespace kasio::protocol;

#ifdef KASIO_FUZZ_API
const testing::message_type* find(bool is_request) {
    for (const auto& t : testing::all_message_types())
        if (t.api_name == KASIO_FUZZ_API && t.is_request == is_request) return &t;
    std::abort();  // KASIO_FUZZ_API names no generated API
}
#else
const testing::message_type* find(bool) {
    for (const auto& t : testing::all_data_types())
        if (t.api_name == KASIO_FUZZ_DATA) return &t;
    std::abort();  // KASIO_FUZZ_DATA names no generated data schema
}
#endif

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
#ifdef KASIO_FUZZ_API
    const testing::message_type& t = (data[0] & 1) ? *response : *request;
    const unsigned pick = data[0] >> 1;
#else
    const testing::message_type& t = *request;
    (void)response;
    const unsigned pick = data[0];
#endif
    const auto v = static_cast<std::int16_t>(t.min_version + pick % (t.max_version - t.min_version + 1));

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
