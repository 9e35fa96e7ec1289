// libFuzzer target for the records decoder: RecordBatch v2 and legacy MessageSet v0/v1, every
// codec. Byte 0 bit 0 turns CRC checks off, so the fuzzer also reaches the record parsing
// behind a CRC it cannot forge. Every view handed out must lie inside the input or the
// decompression scratch buffer; headers are walked to the end.
#include "protocol/record_batch_decoder.hpp"

#include <cstdlib>

using namespace kasio::protocol;

namespace {

void check_inside(const std::optional<bytes_view>& v, bytes_view input, const byte_buffer& scratch) {
    if (!v || v->empty()) return;
    auto inside = [&](const std::uint8_t* begin, std::size_t size) {
        return v->data() >= begin && v->data() + v->size() <= begin + size;
    };
    if (!inside(input.data(), input.size()) && !inside(scratch.data(), scratch.size())) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bytes_view input(data + 1, size - 1);
    decode_options opts;
    opts.check_crcs = (data[0] & 1) == 0;
    opts.max_decompressed_size = 1 << 20;  // keeps bombs cheap; the cap itself is under test
    record_batch_decoder decoder(input, opts);
    byte_buffer scratch;
    while (decoder.next_batch(scratch)) {
        record_view record;
        while (decoder.next_record(record)) {
            check_inside(record.key, input, scratch);
            check_inside(record.value, input, scratch);
            for (const auto& header : record.headers) check_inside(header.value, input, scratch);
        }
    }
    if (scratch.size() > opts.max_decompressed_size) std::abort();
    return 0;
}
