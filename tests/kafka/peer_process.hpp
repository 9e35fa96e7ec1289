// A long-running Java peer (group-member) the test talks to while it runs: its JSON lines are
// collected by a reader thread, its stdin closed to make it leave, or it is SIGKILLed.
#pragma once

#include "json_line.hpp"

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kasio::test::kafka {

class peer_process {
public:
    /// Starts `java ... kasio.peer.Main command args... --bootstrap <PLAINTEXT listeners>`;
    /// on_line (optional) sees each line first, on the reader thread.
    peer_process(const std::string& command, const std::vector<std::string>& args,
                 std::function<void(const json&)> on_line = {});
    /// Kills the peer if still running and joins the reader.
    ~peer_process();
    peer_process(const peer_process&) = delete;
    peer_process& operator=(const peer_process&) = delete;

    /// Waits until a line satisfies pred (lines seen before the call count too); false after
    /// timeout or when the peer exited without one.
    bool wait_for(const std::function<bool(const json&)>& pred, std::chrono::milliseconds timeout);
    /// A copy of every line so far.
    std::vector<json> lines() const;

    /// Closes its stdin: a group member then leaves the group and exits.
    void close_stdin();
    /// SIGKILL: the member vanishes without leaving (the coordinator waits session.timeout.ms).
    void kill();
    /// Waits for the exit; the exit status (-1 when killed by a signal).
    int wait_exit(std::chrono::milliseconds timeout);

private:
    void read_loop(int fd);

    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    std::thread reader_;
    mutable std::mutex m_;
    std::condition_variable cv_;
    std::vector<json> lines_;
    bool eof_ = false;
    int status_ = -2;
    std::function<void(const json&)> on_line_;
};

}  // namespace kasio::test::kafka
