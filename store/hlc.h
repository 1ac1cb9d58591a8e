// HybridClock: hybrid logical clock stamps that never go backwards, even across reboots.
//
// A stamp packs wall milliseconds in the high 48 bits and a logical counter in the low 16.
// The owner persists high_water() with every commit and passes it back on restart, so a box
// without a real-time clock that boots in 1970 still issues increasing stamps. Remote stamps
// more than `max_skew_ms` ahead of local wall time are clamped. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>

#include "base/mutex.h"
#include "base/thread_annotations.h"

namespace edgesync {

using HlcStamp = uint64_t;

inline uint64_t HlcMillis(HlcStamp s) { return s >> 16; }

class HybridClock {
 public:
  using WallClock = std::function<uint64_t()>;  // milliseconds since the epoch

  // `persisted` is the last high-water mark read from storage (0 on a new store).
  HybridClock(HlcStamp persisted, uint64_t max_skew_ms, WallClock wall = nullptr);

  // A fresh stamp for a local event, greater than every stamp seen so far.
  HlcStamp Now();

  // Folds in a stamp received from elsewhere. Returns the stamp to record for that event:
  // the remote stamp itself, or the clamped value when it is too far ahead (`*clamped` set).
  HlcStamp Observe(HlcStamp remote, bool* clamped);

  HlcStamp high_water() const;

 private:
  uint64_t WallMillis() const;
  mutable Mutex mu_;
  HlcStamp last_ GUARDED_BY(mu_);
  uint64_t max_skew_ms_;
  WallClock wall_;
};

}  // namespace edgesync
