// The wall clock network.rate_schedule is evaluated with: the system clock, or, for tests only,
// the unix time written in the file named by EDGESYNC_TEST_SCHEDULE_CLOCK (read each time it
// is asked, so a test moves the node's schedule across a window edge without waiting for one;
// the rest of the daemon keeps the real clock). The test clock is logged as a warning.
// Thread-safety: the returned function may be called from any thread.
#pragma once

#include <ctime>
#include <functional>

namespace edgesync {

std::function<std::time_t()> ScheduleClock();

}  // namespace edgesync
