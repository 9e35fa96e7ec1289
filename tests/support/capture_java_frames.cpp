// kasio-capture-java-frames: records the frames the Java Admin client (kafka-clients 4.4.0, with
// a producer and consumers it needs) and a real Apache Kafka 4.4 broker exchange, as golden data
// for kasio's codecs. Run by tests/support/kafka/capture_admin_frames.sh, which starts the broker
// (its client listener advertises --listen-port, so every connection comes through the proxy):
//
//   kasio-capture-java-frames --upstream 127.0.0.1:PORT --listen-port P --peer-cp CLASSPATH
//                             --out tests/data/golden_java [--only-cap N] [--verbose]
//
// Each session puts a frame_proxy on P in front of the broker and runs the Java peer's
// `admin-exercise` through it. The first session leaves the broker's versions alone; the proxy
// notes the ranges the broker advertises. Each later session rewrites every ApiVersions response
// so that every API's max version is `cap` (not below the API's min), cap going down from the
// highest max: the Java client sends min(its max, advertised max), so it walks down through all
// the versions it can send. An API the client stops sending at some version (it refuses older
// ones with UnsupportedVersionException) stays at the last version it sent from then on, so
// that the steps that need it keep working; afterwards each such API is capped alone (the others
// at the broker's max) to find its real lowest version, since one refused API can make the steps
// of others fail too. The first request/response pair per (api, version)
// wins and is written as <api_key:02>_<api_name>_v<version>_request.bin / _response.bin (frames
// without the 4-byte length prefix). ApiVersions frames are not kept: the proxy rewrote them.
// README.md there is regenerated.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "frame_proxy.hpp"
#include "golden_data.hpp"

namespace {

namespace fs = std::filesystem;
using namespace kasio::test;

constexpr int16_t api_versions_key = 18;

using api_ranges = std::map<int16_t, std::pair<int16_t, int16_t>>;  // api -> (min, max)
using api_caps = std::map<int16_t, int16_t>;                        // api -> advertised max

// ---- ApiVersions responses ---------------------------------------------------------------

// Reads an unsigned varint at p (advancing it); false past `end` or when longer than 5 bytes.
bool read_uvarint(const uint8_t*& p, const uint8_t* end, uint32_t& value) {
    value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        if (p == end) return false;
        const uint8_t b = *p++;
        value |= uint32_t{b & 0x7fu} << shift;
        if ((b & 0x80) == 0) return true;
    }
    return false;
}

// Calls on_entry(api_key, min_version, pointer to max_version) for each entry of api_keys in an
// ApiVersions response frame of the given version (header v0 always, KIP-511: a 4-byte
// correlation id; body flexible from v3: compact array, tagged fields per entry), then, for
// flexible versions, on_feature(name, pointer to max_version_level, which min_version_level
// follows) for each finalized feature
// (tag 2 of the body's tagged fields, KIP-584). Returns false when the frame does not parse or
// carries an error (an error reply is in the v0 format).
template <typename OnEntry, typename OnFeature>
bool walk_api_versions(std::span<uint8_t> frame, int16_t version, OnEntry&& on_entry,
                       OnFeature&& on_feature) {
    uint8_t* p = frame.data() + 4;
    uint8_t* end = frame.data() + frame.size();
    const auto uvarint = [&](uint32_t& value) {
        const uint8_t* q = p;
        const bool ok = read_uvarint(q, end, value);
        p += q - p;
        return ok;
    };
    // Skips a tagged-field section; calls on_tag(tag, data, size) for each field.
    const auto tagged_fields = [&](auto&& on_tag) {
        uint32_t tags = 0;
        if (!uvarint(tags)) return false;
        for (uint32_t t = 0; t < tags; ++t) {
            uint32_t tag = 0, size = 0;
            if (!uvarint(tag) || !uvarint(size) || static_cast<uint32_t>(end - p) < size)
                return false;
            on_tag(tag, p, size);
            p += size;
        }
        return true;
    };
    if (frame.size() < 6 || read_be16(p) != 0) return false;
    p += 2;
    const bool flexible = version >= 3;
    uint32_t count = 0;
    if (flexible) {
        if (!uvarint(count) || count == 0) return false;  // 0: null array
        --count;
    } else {
        if (end - p < 4 || read_be32(p) < 0) return false;
        count = static_cast<uint32_t>(read_be32(p));
        p += 4;
    }
    for (uint32_t i = 0; i < count; ++i) {
        if (end - p < 6) return false;
        on_entry(read_be16(p), read_be16(p + 2), p + 4);
        p += 6;
        if (flexible && !tagged_fields([](uint32_t, uint8_t*, uint32_t) {})) return false;
    }
    if (!flexible) return true;
    if (end - p < 4) return false;
    p += 4;  // throttle_time_ms
    bool features_ok = true;
    const bool ok = tagged_fields([&](uint32_t tag, uint8_t* data, uint32_t size) {
        constexpr uint32_t finalized_features = 2;
        if (tag != finalized_features) return;
        // [name compact string, max_version_level int16, min_version_level int16, tagged fields]
        uint8_t* const saved = p;
        uint8_t* const saved_end = end;
        p = data;
        end = data + size;
        uint32_t n = 0;
        features_ok = uvarint(n) && n > 0;
        for (uint32_t i = 0; features_ok && i + 1 < n; ++i) {
            uint32_t length = 0;
            features_ok = uvarint(length) && length > 0 && static_cast<uint32_t>(end - p) >= length - 1 + 4;
            if (!features_ok) break;
            const std::string name(reinterpret_cast<const char*>(p), length - 1);
            p += length - 1;
            on_feature(name, p);
            p += 4;
            features_ok = tagged_fields([](uint32_t, uint8_t*, uint32_t) {});
        }
        p = saved;
        end = saved_end;
    });
    return ok && features_ok;
}

void write_be16(uint8_t* p, int16_t v) {
    p[0] = static_cast<uint8_t>(static_cast<uint16_t>(v) >> 8);
    p[1] = static_cast<uint8_t>(v);
}

// ---- what was captured -------------------------------------------------------------------

struct capture_store {
    struct pair {
        std::vector<uint8_t> request;
        std::vector<uint8_t> response;
    };
    std::mutex mutex;  // written by the proxy thread, read by main between sessions
    std::map<std::pair<int16_t, int16_t>, pair> pairs;
    std::optional<api_ranges> broker_ranges;  // from the first ApiVersions answer without error

    void add_pair(const request_header& h, std::span<const uint8_t> req,
                  std::span<const uint8_t> resp) {
        std::lock_guard lock(mutex);
        if (h.api_key == api_versions_key) {
            if (broker_ranges) return;
            std::vector<uint8_t> copy(resp.begin(), resp.end());  // the walker takes a mutable span
            api_ranges ranges;
            if (walk_api_versions(
                    copy, h.api_version,
                    [&](int16_t key, int16_t min, uint8_t* max) { ranges[key] = {min, read_be16(max)}; },
                    [](const std::string&, uint8_t*) {}))
                broker_ranges = std::move(ranges);
            return;
        }
        pairs.try_emplace({h.api_key, h.api_version},
                          pair{{req.begin(), req.end()}, {resp.begin(), resp.end()}});
    }

    bool has(int16_t api, int16_t version) {
        std::lock_guard lock(mutex);
        return pairs.contains({api, version});
    }
};

// ---- sessions ----------------------------------------------------------------------------

struct settings {
    std::string upstream;
    int listen_port = 0;
    std::string peer_cp;
    bool verbose = false;
};

struct step_result {
    std::string step;
    bool ok = false;
    std::string line;  // the peer's JSON line
};

// One run of the peer's admin-exercise through a fresh proxy; caps == nullptr: no rewriting.
std::vector<step_result> run_session(capture_store& store, const settings& s, const api_caps* caps,
                                     const std::string& label) {
    frame_proxy::options opts;
    opts.listen_port = s.listen_port;
    if (caps != nullptr) {
        opts.rewrite_response = [caps](const request_header& h, std::span<uint8_t> resp) {
            if (h.api_key != api_versions_key) return;
            // Transactions V2 (KIP-890: no AddPartitionsToTxn, partitions added by Produce) need
            // Produce v12 and EndTxn v5; the client picks V2 from the finalized feature alone,
            // so below those the feature is lowered too, and the client falls back to V1. Also
            // when AddPartitionsToTxn or AddOffsetsToTxn are capped: only V1 sends them.
            // (Features come after api_keys, so txn_v1 is known when they are reached.)
            constexpr int16_t produce = 0, end_txn = 26, add_partitions = 24, add_offsets = 25;
            bool txn_v1 = false;
            walk_api_versions(
                resp, h.api_version,
                [&](int16_t key, int16_t, uint8_t* max) {
                    const auto it = caps->find(key);
                    if (it == caps->end() || it->second >= read_be16(max)) return;
                    txn_v1 = txn_v1 || (key == produce && it->second < 12) ||
                             (key == end_txn && it->second < 5) || key == add_partitions ||
                             key == add_offsets;
                    write_be16(max, it->second);
                },
                [&](const std::string& name, uint8_t* levels) {
                    // max_version_level, then min_version_level: both, or the client finds the
                    // range inverted.
                    if (!txn_v1 || name != "transaction.version") return;
                    for (uint8_t* level : {levels, levels + 2})
                        if (read_be16(level) > 1) write_be16(level, 1);
                });
        };
    }
    frame_proxy proxy(
        s.upstream,
        [&store](const request_header& h, std::span<const uint8_t> req,
                 std::span<const uint8_t> resp) { store.add_pair(h, req, resp); },
        {}, std::move(opts));

    // Names differ per session: topics deleted by the previous session may still be going away.
    const std::string command = "java -cp '" + s.peer_cp +
                                "' kasio.peer.Main admin-exercise --bootstrap 127.0.0.1:" +
                                std::to_string(proxy.port()) + " --prefix golden-" + label +
                                " --timeout-ms 900000" + (s.verbose ? "" : " 2>/dev/null");
    FILE* out = popen(command.c_str(), "r");
    if (out == nullptr) throw std::runtime_error("cannot run the Java peer");
    std::vector<step_result> steps;
    char line[8192];
    while (std::fgets(line, sizeof line, out) != nullptr) {
        std::string text = line;
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        const size_t at = text.find("\"step\":\"");
        if (at == std::string::npos) continue;
        const size_t from = at + 8;
        const std::string name = text.substr(from, text.find('"', from) - from);
        steps.push_back({name, text.find("\"ok\":true") != std::string::npos, text});
    }
    const int status = pclose(out);
    if (status != 0) throw std::runtime_error("the Java peer failed (" + label + ")");
    int failed = 0;
    for (const step_result& r : steps) {
        if (r.ok) continue;
        ++failed;
        if (s.verbose) std::cerr << "  " << r.line << '\n';
    }
    std::cerr << label << ": " << steps.size() - failed << "/" << steps.size() << " steps ok\n";
    return steps;
}

// ---- output ------------------------------------------------------------------------------

void write_file(const fs::path& path, std::span<const uint8_t> bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

// tests/data/golden_java/README.md: origin, regeneration, the steps that failed, what is there.
std::string readme(const std::map<int16_t, std::set<int16_t>>& versions, const api_ranges& broker,
                   const std::map<int16_t, int16_t>& stopped,
                   const std::vector<step_result>& uncapped_steps) {
    std::ostringstream out;
    out << R"(# Golden Kafka frames from the Java client and a Kafka broker

Generated by `kasio-capture-java-frames` (tests/support/capture_java_frames.cpp); do not edit by
hand.

## Origin

Requests: the Java client **kafka-clients 4.4.0** (`org.apache.kafka.clients.admin.Admin`, plus a
KafkaProducer, a transactional producer and two KafkaConsumers that the admin calls need), run
as `admin-exercise` of the Java peer (tests/support/kafka/peer, AdminExercise.java). Responses:
a real **Apache Kafka 4.4.0 broker** (`kafka_2.13` 4.4.0), one KRaft node (broker and controller
in one process) with StandardAuthorizer and `super.users=User:ANONYMOUS`, started by
tests/support/kafka/capture_admin_frames.sh. Its client listener advertises the port of a
loopback proxy (tests/support/frame_proxy.cpp), so every connection of every Java client went
through the proxy; the broker's own inter-broker traffic uses another listener.

Older versions: the Java client sends min(its max, the broker's advertised max) per API. After
one session with the broker's versions, each session had the proxy rewrite every ApiVersions
response so that each API's max was `cap` (never below the API's min), cap going down from the
highest max to 0. An API the client stopped sending at a version it should have reached was
kept at its last version from then on (so the steps needing it kept working), and afterwards
capped alone, the other APIs at the broker's max, down to the version the client would not send
(it refuses older ones with UnsupportedVersionException, or a step needs a newer one). Where the
client's Produce or EndTxn version was too old for transactions V2 (KIP-890), the proxy also
lowered the finalized feature `transaction.version` to 1, so that the client used
AddPartitionsToTxn and AddOffsetsToTxn. Last, each version still missing between an API's
lowest and highest captured version was tried once with that API capped alone. The first
request/response pair per (API, version) was kept. ApiVersions frames are not here (the proxy
rewrote them).

Regenerate (about 10 minutes; needs Java 17 and Maven, which fetch_kafka.sh installs when
missing, and the Maven registry for Kafka's jars and the peer's; the output changes: ids,
timestamps and ports differ from run to run):

    cmake --preset dev   # any configured build directory will do
    cmake --build build --target kasio-golden-java-frames
    # or: tests/support/kafka/capture_admin_frames.sh build/tests/support/kasio-capture-java-frames tests/data/golden_java
    # ports: KASIO_CAPTURE_PORT_BASE (default 19600; uses base .. base+3)

## Files

`<api_key>_<api_name>_v<version>_request.bin` and `..._response.bin`: one frame each, without
the 4-byte length prefix, as in tests/data/golden. `api_name` is the name of kasio's schema file
(src/protocol/schema/NN_name.ks), or snake_case of Kafka's name for APIs without one.

## Error answers

An error answer is still a golden frame. Kafka answers these with errors in every run:

- join_group v4+: MEMBER_ID_REQUIRED (79), the broker's answer to a member's first join
  (KIP-394); the consumer joins again with the member id it got.
- elect_leaders: ELECTION_NOT_NEEDED (84) for the partition: its only replica leads already.

What each step of `admin-exercise` reported in the session with the broker's own versions (a
failed step would show `"ok":false` and the client's error):

)";
    for (const step_result& r : uncapped_steps) out << "- `" << r.line << "`\n";
    out << R"(
## Captured versions

| API | key | broker's versions | captured |
|-----|-----|-------------------|----------|
)";
    for (const auto& [api, set] : versions) {
        std::string list;
        for (int16_t v : set) list += (list.empty() ? "" : ", ") + std::to_string(v);
        const auto b = broker.find(api);
        out << "| " << api_name(api) << " | " << api << " | ";
        if (b != broker.end()) out << b->second.first << "-" << b->second.second;
        out << " | " << list << " |\n";
    }
    out << "\nVersions above the highest captured are above what kafka-clients 4.4 sends (e.g. "
           "AddPartitionsToTxn v4-5 are for brokers only, KIP-890).\n";
    if (!stopped.empty()) {
        out << "\nThe Java client sent no request below these versions, although the broker "
               "offered them and the API was capped alone:\n\n";
        for (const auto& [api, v] : stopped) out << "- " << api_name(api) << ": v" << v << '\n';
    }
    return out.str();
}

}  // namespace

int main(int argc, char** argv) {
    settings s;
    fs::path out_dir;
    std::optional<int> only_cap;
    const auto usage = [&] {
        std::cerr << "usage: " << argv[0]
                  << " --upstream HOST:PORT --listen-port P --peer-cp CLASSPATH --out DIR"
                     " [--only-cap N] [--verbose]\n";
        return 2;
    };
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--upstream" && has_value) s.upstream = argv[++i];
        else if (arg == "--listen-port" && has_value) s.listen_port = std::stoi(argv[++i]);
        else if (arg == "--peer-cp" && has_value) s.peer_cp = argv[++i];
        else if (arg == "--out" && has_value) out_dir = argv[++i];
        else if (arg == "--only-cap" && has_value) only_cap = std::stoi(argv[++i]);
        else if (arg == "--verbose") s.verbose = true;
        else return usage();
    }
    if (s.upstream.empty() || s.listen_port <= 0 || s.peer_cp.empty() || out_dir.empty())
        return usage();

    try {
        capture_store store;
        const std::vector<step_result> uncapped = run_session(store, s, nullptr, "max");
        if (!store.broker_ranges) throw std::runtime_error("no ApiVersions answer captured");
        const api_ranges broker = *store.broker_ranges;

        // Only APIs the exercise used are capped below their max (the rest would not tell).
        std::set<int16_t> used;
        int16_t top = 0;
        {
            std::lock_guard lock(store.mutex);
            for (const auto& [key, pair] : store.pairs) used.insert(key.first);
        }
        for (int16_t api : used) {
            const auto b = broker.find(api);
            if (b != broker.end()) top = std::max(top, b->second.second);
        }
        std::map<int16_t, int16_t> floor;    // api -> lowest version still worth offering
        std::map<int16_t, int16_t> stopped;  // api -> the version the client would not go below
        for (int cap = top - 1; cap >= 0; --cap) {
            if (only_cap && cap != *only_cap) continue;
            api_caps caps;
            std::map<int16_t, int16_t> asked;  // APIs offered a new lower version this session
            for (const auto& [api, range] : broker) {
                if (api == api_versions_key) continue;
                const int16_t low = std::max(range.first, floor.contains(api) ? floor[api] : range.first);
                const auto v = static_cast<int16_t>(std::clamp<int>(cap, low, range.second));
                caps[api] = v;
                if (used.contains(api) && v == cap && v < range.second) asked[api] = v;
            }
            if (asked.empty()) continue;
            run_session(store, s, &caps, "c" + std::to_string(cap));
            for (const auto& [api, v] : asked) {
                if (store.has(api, v)) continue;
                floor[api] = static_cast<int16_t>(v + 1);
                stopped[api] = static_cast<int16_t>(v + 1);
                std::cerr << "  " << api_name(api) << " v" << v
                          << " not sent: kept at v" << v + 1 << " from now on\n";
            }
        }

        // All APIs capped together, a refused version of one API (Metadata v0 fails every step)
        // hides versions of the others. So each API that stopped early is tried again alone,
        // the others at the broker's max, until the client does not send the version.
        for (auto& [api, version] : stopped) {
            const int16_t min = broker.at(api).first;
            while (version > min) {
                const auto next = static_cast<int16_t>(version - 1);
                const api_caps alone{{api, next}};
                run_session(store, s, &alone, "k" + std::to_string(api) + "v" + std::to_string(next));
                if (!store.has(api, next)) break;
                version = next;
            }
            std::cerr << "  " << api_name(api) << ": lowest version sent v" << version << '\n';
        }
        std::erase_if(stopped, [&](const auto& e) { return e.second == broker.at(e.first).first; });

        // Versions missing between the lowest and highest captured of an API (a session whose
        // steps failed for another API's sake; APIs the first session did not use, such as the
        // transactions V1 ones, were never capped on their own): each capped alone once.
        std::map<int16_t, std::set<int16_t>> got;
        {
            std::lock_guard lock(store.mutex);
            for (const auto& [key, pair] : store.pairs) got[key.first].insert(key.second);
        }
        for (const auto& [api, set] : got) {
            const auto b = broker.find(api);
            if (b == broker.end()) continue;
            const int16_t low = stopped.contains(api) ? stopped.at(api) : b->second.first;
            for (int16_t v = low; v < *set.rbegin(); ++v) {
                if (set.contains(v)) continue;
                const api_caps alone{{api, v}};
                run_session(store, s, &alone, "k" + std::to_string(api) + "v" + std::to_string(v));
                if (!store.has(api, v)) std::cerr << "  " << api_name(api) << " v" << v << ": still not sent\n";
            }
        }

        fs::create_directories(out_dir);
        for (const fs::directory_entry& e : fs::directory_iterator(out_dir)) {
            const std::string name = e.path().filename().string();
            if (name.ends_with("_request.bin") || name.ends_with("_response.bin"))
                fs::remove(e.path());
        }
        std::map<int16_t, std::set<int16_t>> versions;
        for (const auto& [key, pair] : store.pairs) {
            const std::string stem = api_file_stem(key.first, key.second);
            write_file(out_dir / (stem + "_request.bin"), pair.request);
            write_file(out_dir / (stem + "_response.bin"), pair.response);
            versions[key.first].insert(key.second);
            std::cout << stem << '\n';
        }
        std::ofstream(out_dir / "README.md", std::ios::trunc)
            << readme(versions, broker, stopped, uncapped);
        std::cerr << "wrote " << store.pairs.size() << " request/response pairs of "
                  << versions.size() << " APIs to " << out_dir << '\n';
    } catch (const std::exception& e) {
        std::cerr << argv[0] << ": " << e.what() << '\n';
        return 1;
    }
    return 0;
}
