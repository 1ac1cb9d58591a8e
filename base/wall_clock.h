// The wall clock in milliseconds since the epoch, as records, reports and feeds stamp times.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace edgesync {

inline uint64_t WallClockMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace edgesync
