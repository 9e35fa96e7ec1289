// A consumer group of kasio and Java members on the real cluster, for group_test.cpp and
// consumer_protocol_test.cpp: members come and go, every assignment change is logged in one
// timeline (kasio's rebalance callbacks and the Java peer's printed events), records are produced
// in waves or a steady stream and their processing counted, and the timeline is checked for a
// partition owned by two members at once. Members join with the classic protocol or KIP-848's.
#pragma once

#include "io_thread.hpp"
#include "peer_process.hpp"

#include <kasio/consumer.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace kasio::test::kafka {

/// How a member joins.
struct member_options {
    /// group.protocol
    group_protocol protocol = group_protocol::classic;
    /// classic: partition.assignment.strategy (range, roundrobin, cooperative-sticky), and the
    /// member asks for session.timeout.ms=10000 and heartbeat.interval.ms=1000. consumer:
    /// group.remote.assignor (uniform, range; empty: the broker's default), and the member sets
    /// none of those three (the coordinator decides them; both clients refuse them).
    std::string assignor = "range";
    /// group.instance.id: a static member.
    std::string instance_id;
};

/// How long a group_world wait allows for the group to settle and catch up. A member that
/// vanishes is noticed within the session timeout (10 s: what the classic members ask for, and
/// the coordinator's group.consumer.session.timeout.ms in tests/support/kafka/cluster.sh), the
/// others learn of the new assignment at their next heartbeat (1 s) and the new owner reads from
/// the committed offset at its next fetch (fetch.max.wait.ms 500 ms): ~12 s a rebalance. The
/// tests chain up to three rebalances before a wait (a kill, a join, a leave); doubled for a
/// loaded two-core machine running the rest of the suite beside them, and rounded up.
inline constexpr std::chrono::seconds group_settle_timeout{90};
static_assert(group_settle_timeout >= 2 * 3 * (std::chrono::seconds(10) + std::chrono::seconds(1) +
                                              std::chrono::milliseconds(500)));

class group_world {
public:
    group_world(std::string topic, int partitions);
    ~group_world();
    group_world(const group_world&) = delete;
    group_world& operator=(const group_world&) = delete;

    /// A kasio member (manual commit after each polled batch); instance_id: a static member.
    void add_kasio(const std::string& name, const std::string& group, const std::string& assignor,
                   const std::string& instance_id = {});
    void add_kasio(const std::string& name, const std::string& group, const member_options& options);
    /// A Java member (the peer's group-member, commitSync after each poll).
    void add_java(const std::string& name, const std::string& group, const std::string& assignor);
    void add_java(const std::string& name, const std::string& group, const member_options& options);
    /// Closes a kasio member (leaves the group unless static).
    void close_kasio(const std::string& name);
    /// SIGKILLs a Java member: it owns nothing from now on, though the group learns of it later.
    void kill_java(const std::string& name);
    void close_all();

    /// Waits until every partition is owned, by exactly these members, each owning some.
    bool wait_owners(const std::set<std::string>& members, std::chrono::seconds timeout = group_settle_timeout);
    /// Produces `count` more records: number n to partition n % partitions, value "n".
    void produce_wave(std::size_t count);
    /// Waits until every record produced so far was processed at least once. describe() then
    /// lists, per partition, the records still unprocessed, the owner and where it reads.
    bool wait_processed(std::chrono::seconds timeout = group_settle_timeout);
    /// Produces in the background, numbered as produce_wave's, until stop_stream(): `per_tick`
    /// records every `tick`, through one producer.
    void start_stream(std::size_t per_tick, std::chrono::milliseconds tick);
    void stop_stream();
    /// The number the next record produced gets: a later wave or stream tick starts there.
    std::size_t next_record() const;
    /// Waits until every partition is owned, by exactly these members, and each of them has
    /// processed a record numbered `from` or above.
    bool wait_consuming(const std::set<std::string>& members, std::size_t from,
                        std::chrono::seconds timeout = group_settle_timeout);

    std::size_t double_ownerships() const;
    std::size_t unprocessed() const;
    std::set<std::int32_t> owned_by(const std::string& member) const;
    /// Assignment events (assigned, revoked, lost) a member reported so far.
    std::size_t assignment_events(const std::string& member) const;
    /// The group's coordinator broker (Admin describeConsumerGroups).
    int coordinator(const std::string& group) const;
    /// Partition -> committed offset, waiting (30 s at most) until it equals end_offsets().
    std::map<std::int32_t, std::int64_t> committed(const std::string& group) const;
    std::map<std::int32_t, std::int64_t> end_offsets() const;

    std::string describe() const;
    std::string summary() const;

private:
    struct kasio_member;
    void on_event(const std::string& member, const std::string& kind, const std::vector<std::int32_t>& parts);
    void on_processed(const std::string& member, std::int64_t seq);
    bool all_owned_by(const std::set<std::string>& members) const;  // m_ held

    std::string topic_;
    int partitions_;
    io_thread io_;
    std::map<std::string, std::unique_ptr<kasio_member>> kasio_;
    std::map<std::string, std::unique_ptr<peer_process>> java_;

    mutable std::mutex m_;
    std::condition_variable cv_;
    std::map<std::int32_t, std::string> owner_;
    std::map<std::string, std::size_t> events_;
    std::vector<std::string> timeline_;
    std::size_t double_owned_ = 0;
    std::vector<std::uint32_t> processed_;  // by record number
    std::map<std::string, std::int64_t> last_processed_;  // member -> highest record number it processed
    // Records numbered below reserved_ are being produced or were; below produced_, delivered.
    std::size_t reserved_ = 0, produced_ = 0, redeliveries_ = 0, commit_failures_ = 0;
    std::atomic<bool> streaming_{false};
    std::thread stream_;
};

}  // namespace kasio::test::kafka
