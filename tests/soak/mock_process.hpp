// kasio-mock-broker (tests/support) run as a child process and driven over its stdin, so that the
// mock cluster's logs (it keeps up to 5 MiB per partition in memory) stay out of the soak
// program's resident memory, which the soak test wants flat.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <string>
#include <vector>

namespace kasio::soak {

class mock_process {
public:
    /// Starts `program args...` and reads its `BOOTSTRAP host:port,...` line. Throws
    /// std::runtime_error when the program cannot be started or says nothing of the kind.
    mock_process(const std::string& program, const std::vector<std::string>& args);
    /// Sends `quit` and waits for the program to exit.
    ~mock_process();
    mock_process(const mock_process&) = delete;
    mock_process& operator=(const mock_process&) = delete;

    [[nodiscard]] const std::string& bootstrap() const noexcept { return bootstrap_; }

    /// Sends one command line (see kasio_mock_broker.cpp) and waits for its reply: empty on
    /// `OK`, else the reply (or a description of the broken pipe). Blocks the calling thread for
    /// one round trip to the mock's command loop (well under a millisecond on loopback pipes).
    std::string command(const std::string& line);

    /// False once the program has exited (librdkafka's mock aborts on some internal assertions).
    bool alive();

private:
    void shutdown();

    pid_t pid_ = -1;
    std::FILE* to_ = nullptr;    // the child's stdin
    std::FILE* from_ = nullptr;  // the child's stdout
    std::string bootstrap_;
};

}  // namespace kasio::soak
