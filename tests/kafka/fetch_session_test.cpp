// Fetch sessions (KIP-227) against the real cluster, which keeps them (librdkafka's mock only
// echoes the id): after the first full Fetch to a broker the consumer's requests are
// incremental, and when the broker forgets a session (as it does on eviction) the consumer
// answers FETCH_SESSION_ID_NOT_FOUND with a full request and reads on without a gap.
#include "kafka_cluster.hpp"
#include "kasio_clients.hpp"
#include "net/connection.hpp"
#include "protocol/messages.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <mutex>
#include <regex>
#include <set>

namespace kasio::test::kafka {
namespace {

constexpr int partitions = 6;

std::vector<owned_record> numbered(std::size_t first, std::size_t count) {
    std::vector<owned_record> out(count);
    for (std::size_t i = 0; i < count; ++i) {
        out[i].partition = static_cast<std::int32_t>((first + i) % partitions);
        out[i].value = std::to_string(first + i) + std::string(200, '.');
        out[i].timestamp = 1700000000000;
    }
    return out;
}

/// A consumer of the whole topic on its own thread, counting what it reads by record number.
struct reader {
    explicit reader(const std::string& topic) {
        consumer_config cfg;
        cfg.bootstrap_servers = {cluster().bootstrap};
        EXPECT_FALSE(cfg.set("auto.offset.reset", "earliest"));
        // Small fetches: many requests per broker, so the session has work to do.
        EXPECT_FALSE(cfg.set("max.partition.fetch.bytes", "16384"));
        EXPECT_FALSE(cfg.set("fetch.max.wait.ms", "200"));
        cfg.connection.log.level = log_level::debug;
        cfg.connection.log.debug = debug_context::protocol;
        cfg.connection.log.sink = [this](log_level, std::string_view line) {
            if (line.find("fetch session") == std::string_view::npos) return;
            std::lock_guard lock(m);
            session_lines.emplace_back(line);
        };
        c = std::make_unique<consumer>(io.io().get_executor(), cfg);
        std::vector<topic_partition> tps;
        for (int p = 0; p < partitions; ++p) tps.push_back({topic, p});
        c->assign(tps);
    }
    ~reader() {
        result_of(c->async_close(boost::asio::use_future));
        c.reset();
        io.stop();
    }

    /// Polls until `total` distinct records were read (or 60 s pass).
    void read_until(std::size_t total) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (seen.size() < total && std::chrono::steady_clock::now() < deadline) {
            auto f = c->async_poll(boost::asio::use_future);
            if (f.wait_until(deadline) != std::future_status::ready) break;
            for (const consumer_record& r : f.get()) {
                const std::string v(reinterpret_cast<const char*>(r.value->data()), r.value->size());
                if (!seen.insert(std::stoull(v)).second) ++duplicates;
            }
        }
    }

    /// node -> the session id the consumer holds with it now, from its debug lines.
    std::map<int, std::int32_t> sessions() {
        std::lock_guard lock(m);
        std::map<int, std::int32_t> out;
        static const std::regex pattern("fetch session with node (\\d+): -?\\d+ -> (-?\\d+)");
        for (const auto& line : session_lines) {
            std::smatch match;
            if (std::regex_search(line, match, pattern)) out[std::stoi(match[1])] = std::stoi(match[2]);
        }
        return out;
    }

    io_thread io;
    std::unique_ptr<consumer> c;
    std::set<std::uint64_t> seen;
    std::size_t duplicates = 0;
    std::mutex m;
    std::vector<std::string> session_lines;
};

TEST(fetch_session_real_kafka, requests_after_the_first_full_fetch_are_incremental) {
    const std::string topic = unique_topic("session");
    create_topic(topic, partitions);
    auto records = numbered(0, 30000);
    producer_config pc;
    pc.bootstrap_servers = {cluster().bootstrap};
    ASSERT_EQ(kasio_produce(pc, topic, records), "");

    reader r(topic);
    r.read_until(records.size());
    EXPECT_EQ(r.seen.size(), records.size());
    EXPECT_EQ(r.duplicates, 0u);
    const consumer_stats s = r.c->stats();
    const std::uint64_t full = s.fetch_requests - s.incremental_fetch_requests;
    std::cout << s.fetch_requests << " Fetch requests, " << s.incremental_fetch_requests << " incremental, "
              << r.sessions().size() << " sessions\n";
    EXPECT_GE(s.fetch_requests, 30u);
    // One full request per broker opens its session; the rest only name what changed.
    EXPECT_LE(full, 3u);
    EXPECT_EQ(s.fetch_session_resets, 0u);
    EXPECT_EQ(r.sessions().size(), 3u);
}

TEST(fetch_session_real_kafka, a_session_the_broker_forgets_is_renewed_without_losing_records) {
    const std::string topic = unique_topic("session-lost");
    create_topic(topic, partitions);
    producer_config pc;
    pc.bootstrap_servers = {cluster().bootstrap};
    auto first = numbered(0, 10000);
    ASSERT_EQ(kasio_produce(pc, topic, first), "");

    reader r(topic);
    r.read_until(first.size());
    ASSERT_EQ(r.seen.size(), first.size());
    const auto sessions = r.sessions();
    ASSERT_FALSE(sessions.empty());

    // Another client closes the consumer's session on its broker (a full Fetch naming the
    // session with the final epoch): from the consumer's side exactly what eviction looks like.
    const auto [node, session_id] = *sessions.begin();
    ASSERT_NE(session_id, 0);
    const std::string address = cluster().bootstrap.substr(0, cluster().bootstrap.find(','));
    const std::string port = std::to_string(std::stoi(address.substr(address.rfind(':') + 1)) + 10 * (node - 1));
    {
        boost::asio::io_context io;
        net::connection conn(io.get_executor(), connection_config{});
        auto connected = conn.async_connect("127.0.0.1", port, boost::asio::use_future);
        ASSERT_TRUE(run_until_ready(io, connected));
        ASSERT_EQ(result_of(std::move(connected)), error_code{});
        protocol::msg::fetch_request close;
        close.session_id = session_id;
        close.session_epoch = -1;  // FINAL_EPOCH: the broker drops the session
        auto reply = conn.async_request(close, boost::asio::use_future);
        ASSERT_TRUE(run_until_ready(io, reply));
        protocol::msg::fetch_response resp;
        ASSERT_EQ(net::decode_response(reply.get(), resp), error_code{});
        EXPECT_EQ(resp.error_code, 0);
    }

    auto second = numbered(first.size(), 10000);
    ASSERT_EQ(kasio_produce(pc, topic, second), "");
    r.read_until(first.size() + second.size());
    EXPECT_EQ(r.seen.size(), first.size() + second.size());
    EXPECT_EQ(r.duplicates, 0u);
    const consumer_stats s = r.c->stats();
    EXPECT_GE(s.fetch_session_resets, 1u);
    const auto renewed = r.sessions();
    ASSERT_TRUE(renewed.count(node));
    EXPECT_NE(renewed.at(node), 0);
    EXPECT_NE(renewed.at(node), session_id);
    std::cout << "session " << session_id << " on node " << node << " dropped; renewed as " << renewed.at(node)
              << " after " << s.fetch_session_resets << " reset(s)\n";
}

}  // namespace
}  // namespace kasio::test::kafka
