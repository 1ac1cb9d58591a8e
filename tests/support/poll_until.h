// PollUntil: the one way tests wait for a condition they can only observe by asking (a CLI
// call, a counter, a file). Prefer waiting on an event where the code under test offers one.
// Thread-safe (no state); `condition` runs on the calling thread.
#pragma once

#include <chrono>
#include <functional>

namespace edgesync::testing {

// Calls `condition` until it returns true or `timeout` passes. Between calls it sleeps 1 ms
// at first, doubling up to `max_interval`: a condition that reads memory is seen to hold at
// once, one that runs a CLI process is not run in a busy loop. The condition is checked once
// more at the deadline, so a zero timeout checks it exactly once.
// Returns whether the condition held.
bool PollUntil(const std::function<bool()>& condition,
               std::chrono::milliseconds timeout = std::chrono::seconds(30),
               std::chrono::microseconds max_interval = std::chrono::milliseconds(100));

}  // namespace edgesync::testing
