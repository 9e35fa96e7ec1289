#include <kasio/exporters/metric_sources.hpp>

#include <algorithm>

namespace kasio::exporters {

namespace {

// The stats of a client while it lives.
template <typename Client> auto stats_while_alive(std::weak_ptr<const Client> client) {
    return [client = std::move(client)]() -> std::optional<decltype(client.lock()->stats())> {
        if (auto alive = client.lock()) return alive->stats();
        return std::nullopt;
    };
}

// The families of what `stats` returns; nullopt once it returns nullopt.
template <typename Stats>
auto describing(client_info client, std::function<std::optional<Stats>()> stats) {
    return [client = std::move(client), stats = std::move(stats)]() -> std::optional<std::vector<metric_family>> {
        auto s = stats();
        if (!s) return std::nullopt;
        return describe(*s, client);
    };
}

}  // namespace

std::uint64_t metric_sources::add(describe_fn fn) {
    std::lock_guard lock(mutex_);
    sources_.push_back({next_id_, std::move(fn)});
    return next_id_++;
}

std::uint64_t metric_sources::add_producer(client_info client, std::weak_ptr<const producer> p) {
    return add_producer(std::move(client), stats_while_alive(std::move(p)));
}

std::uint64_t metric_sources::add_producer(client_info client, producer_fn fn) {
    return add(describing(std::move(client), std::move(fn)));
}

std::uint64_t metric_sources::add_consumer(client_info client, std::weak_ptr<const consumer> c) {
    return add_consumer(std::move(client), stats_while_alive(std::move(c)));
}

std::uint64_t metric_sources::add_consumer(client_info client, consumer_fn fn) {
    return add(describing(std::move(client), std::move(fn)));
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
