#include "net/broker_metrics.hpp"

#include <kasio/error.hpp>

#include <algorithm>

namespace kasio::net {

void broker_counters::completed(std::int16_t api_key, std::size_t bytes_out, std::size_t bytes_in,
                                std::chrono::steady_clock::duration latency, error_code ec) {
    const auto us = static_cast<std::uint64_t>(
        std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::microseconds>(latency).count()));
    if (!ec) {
        responses_.fetch_add(1, std::memory_order_relaxed);
        latency_us_.record(us);
    } else {
        if (ec == client_errc::timed_out) timeouts_.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard lock(mutex_);
        auto it = std::find_if(errors_.begin(), errors_.end(), [&](const auto& e) { return e.first == ec; });
        if (it == errors_.end()) errors_.emplace_back(ec, 1);
        else ++it->second;
    }
    if (api_key < 0 || static_cast<std::size_t>(api_key) >= max_api_key) return;
    api_counters& a = apis_[static_cast<std::size_t>(api_key)];
    a.requests.fetch_add(1, std::memory_order_relaxed);
    a.bytes_out.fetch_add(bytes_out, std::memory_order_relaxed);
    a.bytes_in.fetch_add(bytes_in, std::memory_order_relaxed);
    if (ec) {
        a.errors.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    metrics::atomic_histogram* h = a.latency.load(std::memory_order_acquire);
    if (h == nullptr) {
        // Once per API and broker: connections on other strands may race here, the lock decides.
        std::lock_guard lock(mutex_);
        auto& owned = api_latency_owned_[static_cast<std::size_t>(api_key)];
        if (!owned) {
            owned = std::make_unique<metrics::atomic_histogram>();
            a.latency.store(owned.get(), std::memory_order_release);
        }
        h = owned.get();
    }
    h->record(us);
}

broker_metrics broker_counters::snapshot() const {
    broker_metrics m;
    m.node_id = node_id_;
    m.address = address_;
    m.connected = up_.load(std::memory_order_relaxed) > 0;
    m.connects = connects_.load(std::memory_order_relaxed);
    m.connect_failures = connect_failures_.load(std::memory_order_relaxed);
    m.disconnects = disconnects_.load(std::memory_order_relaxed);
    m.requests = requests_.load(std::memory_order_relaxed);
    m.responses = responses_.load(std::memory_order_relaxed);
    m.request_timeouts = timeouts_.load(std::memory_order_relaxed);
    m.bytes_out = bytes_out_.load(std::memory_order_relaxed);
    m.bytes_in = bytes_in_.load(std::memory_order_relaxed);
    m.in_flight = static_cast<std::uint64_t>(std::max<std::int64_t>(0, in_flight_.load(std::memory_order_relaxed)));
    m.waiting = static_cast<std::uint64_t>(std::max<std::int64_t>(0, waiting_.load(std::memory_order_relaxed)));
    latency_us_.add_to(m.latency_us);
    throttle_ms_.add_to(m.throttle_ms);
    for (std::size_t k = 0; k < max_api_key; ++k) {
        const api_counters& a = apis_[k];
        const auto n = a.requests.load(std::memory_order_relaxed);
        if (n == 0) continue;
        api_metrics api;
        api.api_key = static_cast<std::int16_t>(k);
        api.requests = n;
        api.errors = a.errors.load(std::memory_order_relaxed);
        api.bytes_out = a.bytes_out.load(std::memory_order_relaxed);
        api.bytes_in = a.bytes_in.load(std::memory_order_relaxed);
        if (const auto* h = a.latency.load(std::memory_order_acquire)) h->add_to(api.latency_us);
        m.apis.push_back(std::move(api));
    }
    std::lock_guard lock(mutex_);
    m.errors = errors_;
    return m;
}

std::shared_ptr<broker_counters> metrics_registry::get(std::int32_t node_id, const std::string& address) {
    std::lock_guard lock(mutex_);
    for (const auto& b : brokers_) {
        if (node_id >= 0 ? b->node_id() == node_id : (b->node_id() < 0 && b->address() == address)) return b;
    }
    brokers_.push_back(std::make_shared<broker_counters>(node_id, address));
    return brokers_.back();
}

std::vector<broker_metrics> metrics_registry::snapshot() const {
    std::vector<std::shared_ptr<broker_counters>> all;
    {
        std::lock_guard lock(mutex_);
        all = brokers_;
    }
    std::vector<broker_metrics> out;
    out.reserve(all.size());
    for (const auto& b : all) out.push_back(b->snapshot());
    std::stable_sort(out.begin(), out.end(), [](const broker_metrics& a, const broker_metrics& b) {
        if ((a.node_id < 0) != (b.node_id < 0)) return a.node_id >= 0;
        return a.node_id < b.node_id;
    });
    return out;
}

}  // namespace kasio::net
