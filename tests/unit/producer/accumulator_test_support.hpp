#pragma once
// Helpers for the accumulator and sequence tracker tests: records, a manual clock, recorded
// completions.
#include "producer/accumulator.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kasio::detail::producer::test {

using namespace std::chrono_literals;

/// The manual clock's origin: tests pass t0 + n ms as `now`.
inline const time_point t0{};

inline record make_record(std::string_view topic, std::optional<std::int32_t> partition,
                          std::optional<std::string_view> key, std::string_view value,
                          std::span<const record_header> headers = {}) {
    record r;
    r.topic = topic;
    r.partition = partition;
    if (key) r.key = bytes_of(*key);
    r.value = bytes_of(value);
    r.headers = headers;
    return r;
}

/// What a record's completion reported.
struct outcome {
    bool called = false;
    int calls = 0;
    error_code ec;
    delivery d;
};

/// Completions recorded by index; a deque keeps references stable as it grows.
class outcomes {
public:
    delivery_handler handler() {
        outcome* o = &items_.emplace_back();
        return [o](error_code ec, const delivery& d) {
            o->called = true;
            ++o->calls;
            o->ec = ec;
            o->d = d;
        };
    }
    const outcome& operator[](std::size_t i) const { return items_.at(i); }
    std::size_t size() const { return items_.size(); }
    std::size_t called() const {
        std::size_t n = 0;
        for (const auto& o : items_) n += o.called ? 1 : 0;
        return n;
    }

private:
    std::deque<outcome> items_;
};

/// Appends to an explicit partition with a recorded completion; expects success.
inline append_result append_ok(accumulator& acc, outcomes& out, std::string_view topic, std::int32_t partition,
                               std::string_view value, time_point now, std::int64_t timestamp = 1000) {
    const record r = make_record(topic, partition, std::nullopt, value);
    append_result res = acc.append(r, partition + 1, timestamp, now, out.handler());
    EXPECT_EQ(res.status, append_status::appended);
    return res;
}

/// Drains one partition (one batch at most).
inline batch_ptr drain_one(accumulator& acc, topic_partition_view tp, time_point now,
                           std::size_t max_bytes = 1 << 20) {
    std::vector<batch_ptr> out;
    std::size_t cursor = 0;
    acc.drain(std::span(&tp, 1), cursor, max_bytes, now, out);
    if (out.empty()) return nullptr;
    return std::move(out.front());
}

}  // namespace kasio::detail::producer::test
