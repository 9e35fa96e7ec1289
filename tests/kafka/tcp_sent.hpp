// What this process has sent over TCP, summed over its open sockets: a test of a client at rest
// bounds the traffic it makes (a loop that sends without pause shows up as megabytes).
#pragma once

#include <cstdint>

namespace kasio::test::kafka {

/// Bytes sent (tcpi_bytes_sent, Linux 4.19+) on the TCP sockets this process has open now;
/// a socket closed meanwhile no longer counts.
std::uint64_t tcp_bytes_sent();

}  // namespace kasio::test::kafka
