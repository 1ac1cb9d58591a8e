// Clock skew between this node and its peers. Each side puts its wall clock in its Hello; the
// receiver subtracts its own wall clock at receipt, so a measurement is off by at most the
// one-way latency of the hello. Peers a few seconds off are worth a log line: HLC stamps
// (store/hlc.h) keep ordering sane, but last-writer-wins follows the writers' clocks.
// Free functions on plain values; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace edgesync::transport {

// Milliseconds since the epoch by the system clock.
std::uint64_t WallClockMs();

// "2026-11-25T12:40:00Z".
std::string UtcTimeText(std::uint64_t wall_ms);

// Peer clock minus ours, from the peer's hello time and our wall clock when it arrived.
std::int64_t ClockSkewMs(std::uint64_t peer_wall_ms, std::uint64_t local_wall_ms);

bool ClockSkewIsNotable(std::int64_t skew_ms, std::chrono::milliseconds threshold);

// "its clock is 730.0 days ahead of ours (63072000 s)": for logs, from a peer's point of view.
std::string DescribeClockSkew(std::int64_t skew_ms);

// How far this node's clock is ahead (+) or behind (-) its peers: minus the median of the
// per-peer skews (peer minus ours). nullopt with no measurement.
std::optional<std::int64_t> NodeClockSkewMs(std::vector<std::int64_t> peer_skews_ms);

}  // namespace edgesync::transport
