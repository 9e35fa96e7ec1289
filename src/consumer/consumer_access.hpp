// The consumer's access to the private parts of the public types it fills (record_headers,
// fetch_batch): applications see only what they read.
#pragma once

#include <kasio/consumer.hpp>

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace kasio::detail {

struct consumer_access {
    using consumer_impl = consumer::impl;
    static record_headers headers(bytes_view raw, std::int32_t count) noexcept { return {raw, count}; }
    static std::vector<consumer_record>& records(fetch_batch& b) noexcept { return b.records_; }
    static std::vector<std::shared_ptr<const void>>& owners(fetch_batch& b) noexcept { return b.owners_; }
    static void set_context(fetch_batch& b, std::shared_ptr<const error_context> c) { b.context_ = std::move(c); }
};

}  // namespace kasio::detail

namespace kasio {
/// consumer::impl, by a name the consumer's own free functions may use.
using consumer_impl = detail::consumer_access::consumer_impl;
}  // namespace kasio
