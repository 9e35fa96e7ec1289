#pragma once
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the checksum of record batch v2
// (KIP-98), covering the bytes from the attributes field to the end of the batch.
#include "protocol/primitives.hpp"

#include <cstdint>

namespace kasio::protocol {

/// CRC-32C of data, continuing from crc: start with 0, pass a previous result to extend it
/// (crc32c(crc32c(0, a), b) == crc32c(0, a + b)). Uses SSE4.2 when the CPU has it
/// (checked once at run time), a portable slicing-by-8 table otherwise. Thread-safe.
std::uint32_t crc32c(std::uint32_t crc, bytes_view data) noexcept;

namespace detail {

/// The table implementation, available everywhere (tests and benchmarks compare against it).
std::uint32_t crc32c_portable(std::uint32_t crc, bytes_view data) noexcept;

/// True when this CPU has a CRC-32C instruction kasio uses (x86-64 SSE4.2).
bool crc32c_hardware_available() noexcept;

/// The instruction-based implementation: three interleaved streams, combined with
/// precomputed shift tables. Falls back to crc32c_portable when the hardware is absent.
std::uint32_t crc32c_hardware(std::uint32_t crc, bytes_view data) noexcept;

}  // namespace detail
}  // namespace kasio::protocol
