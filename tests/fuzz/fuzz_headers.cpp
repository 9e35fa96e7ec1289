// libFuzzer target for the request and response header decoders. Byte 0: bit 0 = response,
// bit 1 = response header v1; request headers pick their version from their own api key and
// version, as a broker does. Whatever decodes must re-encode to exactly encoded_size bytes
// that decode again with nothing left over.
#include "protocol/headers.hpp"

#include <cstdlib>

using namespace kasio::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bytes_view input(data + 1, size - 1);
    reader r(input);
    byte_buffer out;
    writer w(out);
    if (data[0] & 1) {
        const std::int16_t hv = (data[0] & 2) ? 1 : 0;
        response_header h;
        if (decode(r, h, hv)) return 0;
        encode(w, h, hv);
        if (out.size() != encoded_size(h, hv)) std::abort();
    } else {
        request_header h;
        if (decode_request_header(r, h)) return 0;
        const std::int16_t hv = request_header_version(h.api_key, h.api_version);
        encode(w, h, hv);
        if (out.size() != encoded_size(h, hv)) std::abort();
    }
    reader again(out);
    if (data[0] & 1) {
        response_header h;
        if (decode(again, h, (data[0] & 2) ? 1 : 0) || again.remaining() != 0) std::abort();
    } else {
        request_header h;
        if (decode_request_header(again, h) || again.remaining() != 0) std::abort();
    }
    return 0;
}
