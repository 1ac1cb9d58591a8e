// ReconnectBackoff: jittered exponential delays between reconnect attempts of one dialer.
//
// Delay n is uniform in [base/2, base] with base = min(max, initial * 2^n), so a fleet of edge
// boxes that lost the cloud at once does not reconnect in lockstep.
// Thread-safety: needs external synchronization.
#pragma once

#include <chrono>
#include <random>

namespace edgesync::transport {

class ReconnectBackoff {
 public:
  ReconnectBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max);

  std::chrono::milliseconds NextDelay();
  // Call after a link came up: the next failure starts from the initial delay again.
  void Reset() { attempt_ = 0; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  int attempt_ = 0;
  std::mt19937_64 random_;
};

}  // namespace edgesync::transport
