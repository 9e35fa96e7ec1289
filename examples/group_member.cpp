// A consumer-group member with manual commits: joins <group>, processes the records of the
// partitions the group gives it, commits what it processed, and leaves after <count> records.
//   group_member <bootstrap.servers> <topic> <group> <count> [-X name=value]...
//
// Committing after processing gives at-least-once: a member that dies between the two makes the
// next owner of its partitions process those records again; none is skipped.
#include <kasio/kasio.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;

namespace {

long consumed = 0;
bool committed = true;

asio::awaitable<void> run(kasio::consumer& c, std::string topic, long count) {
    kasio::rebalance_listener listener;
    listener.on_assigned = [](const std::vector<kasio::topic_partition>& parts) {
        for (const auto& tp : parts) std::printf("assigned %s/%d\n", tp.topic.c_str(), tp.partition);
    };
    c.subscribe({topic}, std::move(listener));
    while (consumed < count) {
        auto [ec, batch] = co_await c.async_poll(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            std::fprintf(stderr, "poll: %s\n", ec.message().c_str());
            committed = false;
            break;
        }
        std::map<std::int32_t, std::int64_t> next;  // partition -> offset after the last processed
        for (const auto& r : batch) {
            if (consumed == count) break;  // left uncommitted: the group's next reader gets them
            std::printf("record partition=%d offset=%lld\n", r.partition, static_cast<long long>(r.offset));
            ++consumed;
            next[r.partition] = r.offset + 1;
        }
        std::vector<kasio::partition_offset> offsets;
        for (const auto& [partition, offset] : next) offsets.push_back({topic, partition, offset, {}});
        auto [cec] = co_await c.async_commit(std::move(offsets), asio::as_tuple(asio::use_awaitable));
        if (cec) std::fprintf(stderr, "commit: %s\n", cec.message().c_str());
        committed = committed && !cec;
    }
    co_await c.async_close(asio::as_tuple(asio::use_awaitable));  // leaves the group at once
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: %s <bootstrap.servers> <topic> <group> <count> [-X name=value]...\n", argv[0]);
        return 2;
    }
    kasio::consumer_config cfg;
    cfg.bootstrap_servers = {argv[1]};
    cfg.group_id = argv[3];
    cfg.enable_auto_commit = false;                       // we commit what we processed
    cfg.auto_offset_reset = kasio::offset_reset::earliest;  // a new group starts at the beginning
    for (int i = 5; i < argc; i += 2) {
        const std::string_view prop = i + 1 < argc ? argv[i + 1] : "";
        const auto eq = prop.find('=');
        if (std::string_view(argv[i]) != "-X" || eq == prop.npos || cfg.set(prop.substr(0, eq), prop.substr(eq + 1))) {
            std::fprintf(stderr, "bad property: -X %s\n", prop.data());
            return 2;
        }
    }
    asio::io_context io;
    kasio::consumer c(io.get_executor(), cfg);
    asio::co_spawn(io, run(c, argv[2], std::atol(argv[4])), asio::detached);
    io.run();
    std::printf("consumed=%ld committed=%s\n", consumed, committed ? "yes" : "no");
    return committed && consumed == std::atol(argv[4]) ? 0 : 1;
}
