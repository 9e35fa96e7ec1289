// Bounded random mutation of encoded messages and golden frames, for every decoder, in the
// normal suite (any compiler; fixed seed, well under a second). The properties: no crash and
// no over-read (the ASan CI build catches those), decode either succeeds or returns an error,
// and whatever decodes re-encodes to bytes that decode and re-encode to themselves.
// Compiled into protocol_tests (tests/unit/protocol/CMakeLists.txt) so `ctest -R protocol`
// runs it; the libFuzzer targets in this directory explore the same decoders open-endedly.
#include "protocol/headers.hpp"
#include "protocol/messages_testing.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

namespace kasio::protocol {
namespace {

using testing::message_type;
using testing::rng;

void mutate(byte_buffer& b, rng& g) {
    for (auto n = 1 + g() % 3; n > 0; --n) {
        const std::size_t at = b.empty() ? 0 : g() % b.size();
        switch (g() % 7) {
        case 0:
            if (!b.empty()) b[at] ^= static_cast<std::uint8_t>(1u << (g() % 8));
            break;
        case 1:
            if (!b.empty()) b[at] = std::array<std::uint8_t, 5>{0x00, 0x01, 0x7f, 0x80, 0xff}[g() % 5];
            break;
        case 2: b.resize(at); break;  // truncate
        case 3: b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::uint8_t>(g())); break;
        case 4:
            if (!b.empty()) b.erase(b.begin() + static_cast<std::ptrdiff_t>(at));
            break;
        case 5:  // a large length or count where one may be
            for (std::size_t i = at; i < b.size() && i < at + 4; ++i) b[i] = i == at ? 0x7f : 0xff;
            break;
        default: {  // duplicate a chunk
            const std::size_t len = std::min<std::size_t>(b.size() - at, 1 + g() % 16);
            byte_buffer chunk(b.begin() + static_cast<std::ptrdiff_t>(at),
                              b.begin() + static_cast<std::ptrdiff_t>(at + len));
            b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), chunk.begin(), chunk.end());
        }
        }
    }
}

byte_buffer encode_erased(const testing::erased_message& m, std::int16_t v) {
    byte_buffer out;
    writer w(out);
    m.write(w, v);
    return out;
}

/// Decodes `input` as (t, v). When it decodes, the canonical re-encoding must be a fixed point.
void decode_and_check(const message_type& t, std::int16_t v, bytes_view input) {
    auto m = t.make();
    reader r(input);
    error_code ec = m->read(r, v);
    if (ec) {
        EXPECT_TRUE(ec.category() == client_category()) << ec.message();
        return;
    }
    byte_buffer once = encode_erased(*m, v);
    auto again = t.make();
    reader r2(once);
    ASSERT_FALSE(again->read(r2, v)) << t.api_name << " v" << v << ": canonical encoding does not decode";
    EXPECT_EQ(r2.remaining(), 0u);
    EXPECT_EQ(encode_erased(*again, v), once) << t.api_name << " v" << v;
}

TEST(protocol_mutation, mutated_messages_decode_or_fail_cleanly) {
    rng g(0x6b6173696f);
    // API messages and data schemas (the consumer protocol's JoinGroup / SyncGroup bytes).
    std::vector<const message_type*> types;
    for (auto list : {testing::all_message_types(), testing::all_data_types()})
        for (const message_type& t : list) types.push_back(&t);
    testing::for_each_message_version([&](const message_type& t, std::int16_t v) {
        for (int i = 0; i < 3; ++i) {
            auto m = t.make();
            m->fill(v, g);
            const byte_buffer original = encode_erased(*m, v);
            for (int k = 0; k < 12; ++k) {
                byte_buffer b = original;
                mutate(b, g);
                decode_and_check(t, v, b);
                // Any bytes through any decoder: the first mutant through every decoder (at a
                // random version), the others through one random decoder.
                auto other_decoders = [&](const message_type& other) {
                    auto ov = static_cast<std::int16_t>(other.min_version +
                                                        g() % (other.max_version - other.min_version + 1));
                    decode_and_check(other, ov, b);
                };
                if (i == 0 && k == 0)
                    for (const message_type* other : types) other_decoders(*other);
                else
                    other_decoders(*types[g() % types.size()]);
            }
        }
        testing::clear_random_records();
    });
}

TEST(protocol_mutation, mutated_golden_frames_decode_or_fail_cleanly) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(KASIO_TEST_DATA_DIR) / "golden";
    if (!fs::is_directory(dir)) GTEST_SKIP() << "no golden frames yet";
    rng g(11);
    int frames = 0;
    static const std::regex golden_name(R"(^(\d+)_[a-z0-9_]+_v(\d+)_(request|response)\.bin$)");
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        std::smatch m;
        if (!std::regex_match(name, m, golden_name)) continue;  // record batches, README
        const int key = std::stoi(m[1]);
        const int version = std::stoi(m[2]);
        const bool is_request = m[3] == "request";
        const message_type* t = testing::find_message_type(static_cast<std::int16_t>(key), is_request);
        if (t == nullptr || version < t->min_version || version > t->max_version) continue;  // golden_test reports these
        std::ifstream in(entry.path(), std::ios::binary);
        const byte_buffer frame((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        ++frames;
        for (int k = 0; k < 200; ++k) {
            byte_buffer b = frame;
            mutate(b, g);
            reader r(b);
            if (is_request) {
                request_header h;
                if (decode_request_header(r, h)) continue;
            } else {
                response_header h;
                if (decode(r, h, response_header_version(t->api_key, static_cast<std::int16_t>(version)))) continue;
            }
            decode_and_check(*t, static_cast<std::int16_t>(version), r.rest());
        }
    }
    if (frames == 0) GTEST_SKIP() << "no golden frames of implemented APIs yet";
}

}  // namespace
}  // namespace kasio::protocol
