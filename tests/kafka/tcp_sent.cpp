// Kept apart from Asio: <linux/tcp.h> has the kernel's struct tcp_info (glibc's <netinet/tcp.h>,
// which Asio includes, lacks the byte counters and clashes with it).
#include "tcp_sent.hpp"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <system_error>

namespace kasio::test::kafka {

std::uint64_t tcp_bytes_sent() {
    std::uint64_t total = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
        int fd = -1;
        try {
            fd = std::stoi(entry.path().filename().string());
        } catch (...) {
            continue;
        }
        tcp_info info{};
        socklen_t len = sizeof info;
        // Not a TCP socket (a file, a pipe, a UDP socket): getsockopt fails and it is skipped.
        if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) continue;
        if (len >= offsetof(tcp_info, tcpi_bytes_sent) + sizeof info.tcpi_bytes_sent) total += info.tcpi_bytes_sent;
    }
    return total;
}

}  // namespace kasio::test::kafka
