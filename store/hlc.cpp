#include "store/hlc.h"

#include <algorithm>
#include <chrono>

namespace edgesync {

HybridClock::HybridClock(HlcStamp persisted, uint64_t max_skew_ms, WallClock wall)
    : last_(persisted), max_skew_ms_(max_skew_ms), wall_(std::move(wall)) {}

uint64_t HybridClock::WallMillis() const {
  if (wall_) return wall_();
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

HlcStamp HybridClock::Now() {
  MutexLock lock(mu_);
  HlcStamp wall = WallMillis() << 16;
  last_ = std::max(last_ + 1, wall);
  return last_;
}

HlcStamp HybridClock::Observe(HlcStamp remote, bool* clamped) {
  MutexLock lock(mu_);
  HlcStamp limit = (WallMillis() + max_skew_ms_) << 16;
  *clamped = remote > limit && remote > last_;
  HlcStamp accepted = *clamped ? std::max(limit, last_) : remote;
  last_ = std::max(last_, accepted);
  return accepted;
}

HlcStamp HybridClock::high_water() const {
  MutexLock lock(mu_);
  return last_;
}

}  // namespace edgesync
