// A consumer-group member that reads what a topic holds now and exits, in one coroutine:
//   consume_coro <bootstrap.servers> <topic> <group> [-X name=value]...
//
// It asks the cluster for the topic's partitions (async_metadata) and their end offsets
// (async_end_offsets), joins <group>, and polls with a timeout (an empty batch after a second
// without records) until its position reaches those ends. Its rebalance listener is a coroutine:
// the group waits while on_revoked commits, so the partitions move (here: at close) with their
// offsets committed and the group's next member starts after these records.
#include <kasio/kasio.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

namespace {

long consumed = 0;
bool committed = false;
bool failed = false;

asio::awaitable<void> run(kasio::consumer& c, std::string topic) {
    std::vector<std::string> topics{topic};  // named: g++ 12 loses initializer lists across co_await
    auto [mec, md] = co_await c.async_metadata(topics, tuple_awaitable);
    const kasio::topic_description* t = mec ? nullptr : md.topic(topic);
    if (!t || t->error) {
        std::fprintf(stderr, "metadata: %s\n", (mec ? mec : t ? t->error : kasio::error_code()).message().c_str());
        failed = true;
        co_return;
    }
    std::vector<kasio::topic_partition> partitions;
    for (const auto& p : t->partitions) partitions.push_back({topic, p.partition});
    auto [eec, ends] = co_await c.async_end_offsets(partitions, tuple_awaitable);
    if (eec) {
        std::fprintf(stderr, "end offsets: %s\n", eec.message().c_str());
        failed = true;
        co_return;
    }

    kasio::async_rebalance_listener listener;
    listener.on_assigned = [](std::vector<kasio::topic_partition> parts) -> asio::awaitable<void> {
        for (const auto& tp : parts) std::printf("assigned %s/%d\n", tp.topic.c_str(), tp.partition);
        co_return;
    };
    listener.on_revoked = [&c](std::vector<kasio::topic_partition> parts) -> asio::awaitable<void> {
        // The positions of the partitions leaving: after the last record processed.
        auto [ec] = co_await c.async_commit(tuple_awaitable);
        committed = !ec;
        std::printf("revoked %zu partitions, commit: %s\n", parts.size(), ec ? ec.message().c_str() : "ok");
    };
    c.subscribe(topics, std::move(listener));

    auto caught_up = [&] {
        for (const auto& end : ends) {
            const auto position = c.position(end.partition);
            if (!position || *position < end.offset.value_or(0)) return false;
        }
        return true;
    };
    int idle = 0;
    while (!caught_up() && idle < 60) {
        auto [ec, batch] = co_await c.async_poll(std::chrono::seconds(1), tuple_awaitable);
        if (ec) {
            std::fprintf(stderr, "poll: %s\n", ec.message().c_str());
            failed = true;
            break;
        }
        idle = batch.empty() ? idle + 1 : 0;
        for (const auto& r : batch) {
            std::printf("record partition=%d offset=%lld\n", r.partition, static_cast<long long>(r.offset));
            ++consumed;
        }
    }
    for (const auto& end : ends)
        if (const auto lag = c.lag(end.partition))
            std::printf("lag %s/%d %lld\n", topic.c_str(), end.partition.partition, static_cast<long long>(*lag));
    co_await c.async_close(tuple_awaitable);  // on_revoked commits, then the member leaves
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s <bootstrap.servers> <topic> <group> [-X name=value]...\n", argv[0]);
        return 2;
    }
    kasio::consumer_config cfg;
    cfg.bootstrap_servers = {argv[1]};
    cfg.group_id = argv[3];
    cfg.enable_auto_commit = false;                         // on_revoked commits
    cfg.auto_offset_reset = kasio::offset_reset::earliest;  // a new group starts at the beginning
    for (int i = 4; i < argc; i += 2) {
        const std::string_view prop = i + 1 < argc ? argv[i + 1] : "";
        const auto eq = prop.find('=');
        if (std::string_view(argv[i]) != "-X" || eq == prop.npos || cfg.set(prop.substr(0, eq), prop.substr(eq + 1))) {
            std::fprintf(stderr, "bad property: -X %s\n", prop.data());
            return 2;
        }
    }
    asio::io_context io;
    kasio::consumer c(io.get_executor(), cfg);
    asio::co_spawn(io, run(c, argv[2]), asio::detached);
    io.run();
    std::printf("consumed=%ld committed=%s\n", consumed, committed ? "yes" : "no");
    return failed || !committed ? 1 : 0;
}
