// kasio members of one consumer group over any number of topics, for consumer_protocol_test.cpp
// (group_world follows one topic, Java members included): what each member owns by topic and
// partition, a partition assigned while another member owns it, every record read, poll errors.
#pragma once

#include "io_thread.hpp"

#include <kasio/consumer.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace kasio::test::kafka {

/// Closes a consumer and waits; fails the current test if the close reports an error.
void close_consumer(consumer& c);

class tracked_members {
public:
    using tp = std::pair<std::string, std::int32_t>;

    tracked_members() = default;
    /// Closes every member still open.
    ~tracked_members();
    tracked_members(const tracked_members&) = delete;
    tracked_members& operator=(const tracked_members&) = delete;

    /// A consumer on the members' io_context; the caller subscribes it (with listener(name)).
    consumer& add(const std::string& name, const consumer_config& cfg);
    /// Callbacks that record the member's assignment changes.
    rebalance_listener listener(const std::string& name);
    /// Polls without end on the member's strand, keeping what it reads and the poll errors (it
    /// stops after 20 errors: an error that lasts completes every poll at once).
    void start_polling(const std::string& name);
    /// Closes the member (it leaves the group, or stays as a static member) and forgets what it owned.
    void close(const std::string& name);

    /// Waits until pred holds; pred runs with the lock held and reads the accessors below.
    bool wait(const std::function<bool()>& pred, std::chrono::seconds timeout);
    // For wait()'s predicates (the lock is held there) and after the members stopped.
    const std::map<tp, std::string>& owners() const { return owner_; }
    const std::map<tp, std::vector<std::int64_t>>& read() const { return read_; }
    const std::map<std::string, std::size_t>& event_counts() const { return events_; }
    std::size_t read_count(const std::string& topic) const;

    // Locked snapshots, for any time.
    std::size_t double_ownerships() const;
    std::size_t poll_errors(const std::string& name) const;
    /// Assignment callbacks (assigned, revoked, lost) the member heard so far.
    std::size_t events(const std::string& name) const;
    std::set<tp> owned_by(const std::string& name) const;
    /// The timeline, the owners and the records read per partition, for a failure message.
    std::string describe() const;

private:
    struct member {
        std::unique_ptr<consumer> c;
        std::function<void()> poll;
        std::atomic<bool> stopped{false};
    };

    void event(const std::string& name, const std::string& kind, const std::vector<topic_partition>& tps);

    io_thread io_;
    std::map<std::string, std::unique_ptr<member>> members_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::map<tp, std::string> owner_;
    std::map<std::string, std::size_t> events_, poll_errors_;
    std::map<tp, std::vector<std::int64_t>> read_;
    std::vector<std::string> timeline_;
    std::size_t double_owned_ = 0;
};

}  // namespace kasio::test::kafka
