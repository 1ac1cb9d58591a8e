#include "syncd/schedule_clock.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace edgesync {

std::function<std::time_t()> ScheduleClock() {
  const char* file = std::getenv("EDGESYNC_TEST_SCHEDULE_CLOCK");
  if (file == nullptr || *file == '\0') return [] { return std::time(nullptr); };
  spdlog::warn("EDGESYNC_TEST_SCHEDULE_CLOCK is set: the rate schedule reads its time from {} (TEST ONLY)",
               file);
  return [path = std::string(file)] {
    std::ifstream in(path);
    long long seconds = 0;
    if (in >> seconds) return static_cast<std::time_t>(seconds);
    return std::time(nullptr);  // unreadable or not written yet
  };
}

}  // namespace edgesync
