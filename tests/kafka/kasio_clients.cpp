#include "kasio_clients.hpp"

#include <boost/asio/use_future.hpp>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <map>
#include <mutex>

namespace kasio::test::kafka {
namespace {

std::string text_of(bytes_view b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

std::optional<std::string> optional_text(const std::optional<bytes_view>& b) {
    if (!b) return std::nullopt;
    return text_of(*b);
}

std::optional<std::string> decoded(const json& v) {
    if (v.is_null()) return std::nullopt;
    return base64_decode(v.as_string()).value_or("<bad base64>");
}

}  // namespace

error_code result_of(std::future<void> f) {
    try {
        f.get();
        return {};
    } catch (const boost::system::system_error& e) {
        return e.code();
    }
}

std::vector<owned_record> interop_records(std::size_t n, bool large) {
    std::vector<owned_record> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        owned_record& r = out[i];
        if (i % 50 != 7) r.key = "key-" + std::to_string(i);
        if (i % 50 != 13) {
            std::string v = "value-" + std::to_string(i) + ":";
            const std::size_t size = 20 + (i * 37) % 280;
            // Bytes of every value 0-255, so that no codec or encoding only sees text.
            while (v.size() < size) v.push_back(static_cast<char>((v.size() * 131 + i) & 0xFF));
            r.value = std::move(v);
        }
        r.headers = {{"seq", std::to_string(i)}, {"empty", std::string()}, {"nil", std::nullopt},
                     {"twice", "a"}, {"twice", "b"}};
        r.timestamp = 1700000000000 + static_cast<std::int64_t>(i);
    }
    if (large && n > 0) {
        std::string big(900 * 1024, '\0');
        for (std::size_t k = 0; k < big.size(); ++k) big[k] = static_cast<char>((k * 7919) >> 5);
        out.back().value = std::move(big);
    }
    return out;
}

std::optional<std::size_t> seq_of(const owned_record& r) {
    for (const auto& [name, value] : r.headers) {
        if (name != "seq" || !value) continue;
        std::size_t i = 0;
        if (std::from_chars(value->data(), value->data() + value->size(), i).ec == std::errc{}) return i;
    }
    return std::nullopt;
}

void debug_log(connection_config& c) {
    // Info lines always (offset resets and the like are rare and say what happened); all the
    // debug lines with KASIO_TEST_DEBUG.
    const bool debug = std::getenv("KASIO_TEST_DEBUG") != nullptr;
    c.log.level = debug ? log_level::debug : log_level::info;
    if (debug) c.log.debug = debug_context::all;
    c.log.sink = [](log_level, std::string_view m) { std::fprintf(stderr, "kasio: %.*s\n", static_cast<int>(m.size()), m.data()); };
}

std::string kasio_produce(producer_config cfg, const std::string& topic, std::vector<owned_record>& records) {
    debug_log(cfg.connection);
    io_thread io;
    std::string first_error;
    std::size_t completed = 0;
    std::mutex m;
    {
        producer p(io.io().get_executor(), cfg);
        std::vector<record_header> headers;
        for (auto& r : records) {
            headers.clear();
            for (const auto& [name, value] : r.headers)
                headers.push_back({name, value ? std::optional<bytes_view>(bytes_of(*value)) : std::nullopt});
            record rec;
            rec.topic = topic;
            rec.partition = r.partition;
            if (r.key) rec.key = bytes_of(*r.key);
            if (r.value) rec.value = bytes_of(*r.value);
            rec.headers = headers;
            rec.timestamp = r.timestamp;
            p.async_send(rec, [&r, &first_error, &m, &completed](error_code ec, delivery d) {
                std::lock_guard lock(m);
                ++completed;
                if (ec) {
                    if (first_error.empty()) first_error = ec.message();
                    return;
                }
                r.partition = d.partition;
                r.offset = d.offset;
            });
        }
        const error_code ec = result_of(p.async_close(std::chrono::seconds(120), boost::asio::use_future));
        std::lock_guard lock(m);
        if (ec && first_error.empty()) first_error = "close: " + ec.message();
        if (first_error.empty() && completed != records.size())
            first_error = "close completed with " + std::to_string(records.size() - completed) + " sends not completed";
    }
    io.stop();
    return first_error;
}

std::vector<owned_record> kasio_consume(consumer_config cfg, const std::string& topic, int partitions,
                                        std::size_t count, std::chrono::seconds timeout) {
    debug_log(cfg.connection);
    io_thread io;
    std::vector<owned_record> out;
    {
        if (cfg.set("auto.offset.reset", "earliest")) return out;
        consumer c(io.io().get_executor(), cfg);
        std::vector<topic_partition> tps;
        for (int p = 0; p < partitions; ++p) tps.push_back({topic, p});
        c.assign(tps);
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (out.size() < count) {
            auto f = c.async_poll(boost::asio::use_future);
            if (f.wait_until(deadline) != std::future_status::ready) {
                // Say where it stands: which partitions stopped short, and the fetch counters.
                std::map<std::int32_t, std::size_t> got;
                for (const auto& r : out) ++got[*r.partition];
                const consumer_stats st = c.stats();
                std::fprintf(stderr, "kasio_consume: %zu of %zu records after the timeout; fetches %llu sent, %llu answered\n",
                             out.size(), count, static_cast<unsigned long long>(st.fetch_requests),
                             static_cast<unsigned long long>(st.fetch_responses));
                for (const auto& tp : tps)
                    std::fprintf(stderr, "  partition %d: %zu read, position %lld\n", tp.partition, got[tp.partition],
                                 static_cast<long long>(c.position(tp).value_or(-1)));
                result_of(c.async_close(boost::asio::use_future));
                break;
            }
            fetch_batch batch = f.get();  // throws system_error on a poll error: the test fails with it
            for (const consumer_record& r : batch) {
                owned_record o;
                o.partition = r.partition;
                o.offset = r.offset;
                o.timestamp = r.timestamp;
                o.log_append_time = r.timestamp_type == timestamp_kind::log_append_time;
                o.key = optional_text(r.key);
                o.value = optional_text(r.value);
                for (const auto& h : r.headers) o.headers.emplace_back(std::string(h.key), optional_text(h.value));
                out.push_back(std::move(o));
            }
        }
        if (out.size() >= count) result_of(c.async_close(boost::asio::use_future));
    }
    io.stop();
    return out;
}

std::string to_peer_input(const std::vector<owned_record>& records) {
    std::string out;
    for (const auto& r : records) {
        out += "{";
        if (r.partition) out += "\"partition\":" + std::to_string(*r.partition) + ",";
        out += "\"key\":" + (r.key ? json_quote(base64_encode(*r.key)) : std::string("null"));
        out += ",\"value\":" + (r.value ? json_quote(base64_encode(*r.value)) : std::string("null"));
        out += ",\"timestamp\":" + std::to_string(r.timestamp) + ",\"headers\":[";
        for (std::size_t h = 0; h < r.headers.size(); ++h) {
            const auto& [name, value] = r.headers[h];
            out += (h ? ",[" : "[") + json_quote(name) + "," +
                   (value ? json_quote(base64_encode(*value)) : std::string("null")) + "]";
        }
        out += "]}\n";
    }
    return out;
}

owned_record from_peer_line(const json& line) {
    owned_record r;
    r.partition = static_cast<std::int32_t>(line["partition"].as_int());
    r.offset = line["offset"].as_int();
    r.timestamp = line["timestamp"].as_int();
    r.log_append_time = line["timestamp_type"].as_string() == "LogAppendTime";
    r.key = decoded(line["key"]);
    r.value = decoded(line["value"]);
    for (const json& h : line["headers"].items)
        if (h.items.size() == 2) r.headers.emplace_back(h.items[0].as_string(), decoded(h.items[1]));
    return r;
}

}  // namespace kasio::test::kafka
