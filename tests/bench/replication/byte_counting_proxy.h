// ByteCountingProxy: a TCP relay on 127.0.0.1 that forwards every connection to one upstream
// port and counts the bytes it carries each way. The benchmark puts it between two edgesyncd
// nodes (and between rsync and its daemon) to measure what really crosses the socket, TLS
// records and protocol framing included. Counters are thread-safe; the rest needs external
// synchronization. Stops (closing every connection) on destruction.
#pragma once

#include <atomic>
#include <cstdint>

#include "tests/support/tcp_relay.h"

namespace edgesync::testing {

class ByteCountingProxy {
 public:
  explicit ByteCountingProxy(uint16_t upstream_port);

  uint16_t port() const { return relay_.port(); }  // 0 when it could not listen
  // Bytes carried from the connecting side to upstream, and back, since construction.
  uint64_t to_upstream() const { return to_upstream_.load(); }
  uint64_t from_upstream() const { return from_upstream_.load(); }
  uint64_t total() const { return to_upstream() + from_upstream(); }

 private:
  std::atomic<uint64_t> to_upstream_{0}, from_upstream_{0};
  TcpRelay relay_;  // last: its threads use the counters, so it stops first
};

}  // namespace edgesync::testing
