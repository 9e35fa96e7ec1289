#include <kasio/exporters/metric_sources.hpp>

#include <algorithm>

namespace kasio::exporters {

std::uint64_t metric_sources::add(describe_fn fn) {
    std::lock_guard lock(mutex_);
    sources_.push_back({next_id_, std::move(fn)});
    return next_id_++;
}

std::uint64_t metric_sources::add_producer(client_info client, std::weak_ptr<const producer> p) {
    return add_producer(std::move(client), [p = std::move(p)]() -> std::optional<producer_stats> {
        if (auto alive = p.lock()) return alive->stats();
        return std::nullopt;
    });
}

std::uint64_t metric_sources::add_producer(client_info client, producer_fn fn) {
    return add([client = std::move(client), fn = std::move(fn)]() -> std::optional<std::vector<metric_family>> {
        auto s = fn();
        if (!s) return std::nullopt;
        return describe(*s, client);
    });
}

std::uint64_t metric_sources::add_consumer(client_info client, std::weak_ptr<const consumer> c) {
    return add_consumer(std::move(client), [c = std::move(c)]() -> std::optional<consumer_stats> {
        if (auto alive = c.lock()) return alive->stats();
        return std::nullopt;
    });
}

std::uint64_t metric_sources::add_consumer(client_info client, consumer_fn fn) {
    return add([client = std::move(client), fn = std::move(fn)]() -> std::optional<std::vector<metric_family>> {
        auto s = fn();
        if (!s) return std::nullopt;
        return describe(*s, client);
    });
}

void metric_sources::remove(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    std::erase_if(sources_, [id](const source& s) { return s.id == id; });
}

std::vector<metric_family> metric_sources::collect() {
    std::vector<source> copy;
    {
        std::lock_guard lock(mutex_);
        copy = sources_;
    }
    std::vector<metric_family> out;
    std::vector<std::uint64_t> gone;
    for (const auto& s : copy) {
        if (auto families = s.describe())
            merge_families(out, std::move(*families));
        else
            gone.push_back(s.id);
    }
    for (const auto id : gone) remove(id);
    return out;
}

}  // namespace kasio::exporters
