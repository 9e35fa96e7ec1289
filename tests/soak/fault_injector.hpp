// The soak test's faults: on a timer, at random (seeded), a broker goes down and comes back,
// a partition's leader moves, or the next requests of an API fail with retriable errors.
#pragma once

#include "mock_process.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace kasio::soak {

class fault_injector {
public:
    enum kind : std::size_t {
        broker_down,
        broker_up,
        leader_move,
        produce_errors,
        fetch_errors,
        group_errors,
        kinds
    };

    /// Before a broker goes down, `quiesce` is called with the step that takes it down: it calls
    /// that step once nothing is in flight to the cluster (see kasio_soak.cpp for why).
    using quiesce_fn = std::function<void(std::function<void()> then)>;

    fault_injector(boost::asio::io_context& io, mock_process& mock, std::uint64_t seed,
                   std::string topic, std::int32_t partitions, int brokers, quiesce_fn quiesce);

    /// Injects a fault every 0.5 to 3 s. Runs on the io_context's thread.
    void start();
    /// No fault after this; clears every injected error still pending and brings every broker up.
    void stop();

    /// "broker_down:N,broker_up:N,..."
    [[nodiscard]] std::string summary() const;
    [[nodiscard]] std::uint64_t total() const;
    [[nodiscard]] int down() const noexcept { return down_; }
    [[nodiscard]] bool mock_alive() { return mock_.alive(); }
    /// Commands the mock refused (each is printed to stderr).
    [[nodiscard]] std::uint64_t command_errors() const noexcept { return command_errors_; }

private:
    void schedule();
    void inject();
    void take_a_broker_down();
    void move_a_leader();
    void push_errors(kind k, int api, std::vector<const char*> codes);
    void command(const std::string& line);
    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

    mock_process& mock_;
    std::mt19937_64 rng_;
    std::string topic_;
    std::int32_t partitions_;
    int brokers_;
    quiesce_fn quiesce_;
    boost::asio::steady_timer timer_, up_timer_;
    std::vector<int> leaders_;  // as last set; 0: as the mock created it
    bool on_ = false, quiescing_ = false;
    int down_ = 0;
    std::array<std::uint64_t, kinds> counts_{};
    std::uint64_t command_errors_ = 0;
};

}  // namespace kasio::soak
