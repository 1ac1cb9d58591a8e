// RateWindow: the current rate of a cumulative byte counter, measured over a sliding window of
// its samples, so that a counter that stops moving reads 0 once the window has passed instead
// of keeping the last busy period's figure.
//
// The rate is taken between the newest sample and the newest one at least `span` older than it
// (the oldest sample while there is no such one yet). A counter that goes down (a new link
// restarts it from zero) starts the window afresh. Needs external synchronization.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

namespace edgesync {

class RateWindow {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateWindow(std::chrono::milliseconds span) : span_(span) {}

  // REQUIRES: `at` is not earlier than the previous sample's time.
  void Add(Clock::time_point at, uint64_t total);
  // Bytes per second over the window; nullopt until two samples apart in time are in.
  std::optional<uint64_t> BytesPerSecond() const;
  void Clear() { samples_.clear(); }

 private:
  struct Sample {
    Clock::time_point at;
    uint64_t total = 0;
  };
  std::chrono::milliseconds span_;
  std::deque<Sample> samples_;  // oldest first; only the first may be older than newest - span
};

}  // namespace edgesync
