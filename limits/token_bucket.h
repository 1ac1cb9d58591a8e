// TokenBucket: paces a stream of bytes to a rate, allowing a short burst.
//
// It runs in debt: a sender waits until the bucket is not in debt (Delay() is zero), then sends
// a whole frame or request and Consume()s its size, which may take the bucket below zero. The
// long-run rate is exact whatever the message sizes, and a message larger than the burst still
// goes (after the debt of the previous one is paid). Time is a parameter, so tests drive it.
// SetRate changes the rate in place: a transfer in progress continues at the new rate.
// Thread-safety: needs external synchronization (BandwidthLimiter holds the lock).
#pragma once

#include <chrono>
#include <cstdint>

#include "limits/rate.h"

namespace edgesync::limits {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // Full at first: a burst may go at once.
  TokenBucket(Rate rate, Clock::time_point now);

  // How long until the bucket is out of debt; zero when unlimited or not in debt.
  std::chrono::nanoseconds Delay(Clock::time_point now);
  // Takes `bytes` (no-op when unlimited).
  void Consume(uint64_t bytes, Clock::time_point now);
  // A new rate from now on; what is in debt stays owed, the burst follows the rate.
  void SetRate(Rate rate, Clock::time_point now);

  Rate rate() const { return rate_; }
  // The burst: what a full bucket lets through at once (a tenth of a second's worth, at least
  // 64 KiB so that one average chunk never waits on an empty bucket of a slow link).
  uint64_t burst() const { return burst_; }

 private:
  void Refill(Clock::time_point now);

  Rate rate_;
  uint64_t burst_ = 0;
  double tokens_ = 0;  // bytes; negative while in debt
  Clock::time_point last_;
};

}  // namespace edgesync::limits
