#include "tests/support/poll_until.h"

#include <algorithm>
#include <thread>

namespace edgesync::testing {

bool PollUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
               std::chrono::microseconds max_interval) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + timeout;
  std::chrono::microseconds interval =
      std::min<std::chrono::microseconds>(std::chrono::milliseconds(1), max_interval);
  while (Clock::now() < deadline) {
    if (condition()) return true;
    // Never past the deadline, so the last check comes on time.
    std::this_thread::sleep_for(std::min<Clock::duration>(interval, deadline - Clock::now()));
    interval = std::min(interval * 2, max_interval);
  }
  return condition();
}

}  // namespace edgesync::testing
