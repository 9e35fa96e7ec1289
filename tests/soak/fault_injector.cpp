#include "fault_injector.hpp"

#include <cstdio>
#include <utility>

namespace kasio::soak {

namespace {

constexpr std::array<const char*, fault_injector::kinds> names{
    "broker_down", "broker_up", "leader_move", "produce_errors", "fetch_errors", "group_errors"};

// API keys the injector pushes errors for (all cleared by stop()).
constexpr std::array<int, 8> apis{0, 1, 8, 9, 10, 11, 12, 14};

}  // namespace

fault_injector::fault_injector(boost::asio::io_context& io, mock_process& mock, std::uint64_t seed,
                               std::string topic, std::int32_t partitions, int brokers,
                               quiesce_fn quiesce)
    : mock_(mock),
      rng_(seed),
      topic_(std::move(topic)),
      partitions_(partitions),
      brokers_(brokers),
      quiesce_(std::move(quiesce)),
      timer_(io),
      up_timer_(io),
      leaders_(static_cast<std::size_t>(partitions), 0) {}

void fault_injector::start() {
    on_ = true;
    schedule();
}

void fault_injector::stop() {
    on_ = false;
    timer_.cancel();
    up_timer_.cancel();
    for (int api : apis) command("clear_errors " + std::to_string(api));
    for (int b = 1; b <= brokers_; ++b) command("broker_up " + std::to_string(b));
    down_ = 0;
}

std::string fault_injector::summary() const {
    std::string s;
    for (std::size_t k = 0; k < kinds; ++k) {
        if (k > 0) s += ',';
        s.append(names[k]).append(":").append(std::to_string(counts_[k]));
    }
    return s;
}

std::uint64_t fault_injector::total() const {
    std::uint64_t n = 0;
    for (auto c : counts_) n += c;
    return n;
}

void fault_injector::schedule() {
    timer_.expires_after(std::chrono::milliseconds(uniform(500, 3000)));
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || !on_) return;
        inject();
        schedule();
    });
}

// Weights: broker down 20 %, leader move 25 %, Produce errors 20 %, Fetch errors 15 %, group
// coordinator errors 20 %. Every error is retriable; the mock answers them without appending.
void fault_injector::inject() {
    const int roll = uniform(0, 99);
    if (roll < 20 && down_ == 0 && !quiescing_) return take_a_broker_down();
    if (roll < 45) return move_a_leader();
    if (roll < 65)
        return push_errors(produce_errors, 0,
                           {"NOT_LEADER_OR_FOLLOWER", "REQUEST_TIMED_OUT", "NOT_ENOUGH_REPLICAS"});
    if (roll < 80)
        return push_errors(fetch_errors, 1, {"NOT_LEADER_OR_FOLLOWER", "UNKNOWN_TOPIC_OR_PART"});
    switch (uniform(0, 5)) {
        case 0:
            return push_errors(group_errors, 10, {"COORDINATOR_NOT_AVAILABLE"});  // FindCoordinator
        case 1:
            return push_errors(
                group_errors, 12,  // Heartbeat
                {"NOT_COORDINATOR", "COORDINATOR_NOT_AVAILABLE", "REBALANCE_IN_PROGRESS"});
        case 2:
            return push_errors(group_errors, 8,  // OffsetCommit
                               {"COORDINATOR_LOAD_IN_PROGRESS", "NOT_COORDINATOR"});
        case 3:
            return push_errors(group_errors, 11, {"COORDINATOR_NOT_AVAILABLE"});  // JoinGroup
        case 4:
            return push_errors(group_errors, 14, {"COORDINATOR_NOT_AVAILABLE"});  // SyncGroup
        default:
            return push_errors(group_errors, 9, {"COORDINATOR_LOAD_IN_PROGRESS"});  // OffsetFetch
    }
}

// The next 1 to 3 requests of the API (on any broker) fail with codes picked at random.
void fault_injector::push_errors(kind k, int api, std::vector<const char*> codes) {
    ++counts_[k];
    std::string line = "error " + std::to_string(api);
    for (int i = uniform(1, 3); i > 0; --i)
        line.append(" ").append(codes[static_cast<std::size_t>(uniform(0, int(codes.size()) - 1))]);
    command(line);
}

void fault_injector::move_a_leader() {
    const int p = uniform(0, partitions_ - 1);
    int& leader = leaders_[static_cast<std::size_t>(p)];
    int b = uniform(1, brokers_);
    while (b == leader) b = uniform(1, brokers_);
    leader = b;
    ++counts_[leader_move];
    command("leader " + topic_ + " " + std::to_string(p) + " " + std::to_string(b));
}

// Down for 1 to 6 s, once the producer has nothing in flight; the consumers and the group
// coordinator get no such courtesy.
void fault_injector::take_a_broker_down() {
    const int b = uniform(1, brokers_);
    quiescing_ = true;
    quiesce_([this, b] {
        quiescing_ = false;
        if (!on_) return;
        down_ = b;
        ++counts_[broker_down];
        command("broker_down " + std::to_string(b));
        up_timer_.expires_after(std::chrono::milliseconds(uniform(1000, 6000)));
        up_timer_.async_wait([this](boost::system::error_code ec) {
            if (ec || !on_) return;
            ++counts_[broker_up];
            command("broker_up " + std::to_string(down_));
            down_ = 0;
        });
    });
}

void fault_injector::command(const std::string& line) {
    const std::string reply = mock_.command(line);
    if (reply.empty()) return;
    ++command_errors_;
    std::fprintf(stderr, "mock command '%s': %s\n", line.c_str(), reply.c_str());
}

}  // namespace kasio::soak
