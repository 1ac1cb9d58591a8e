// RetryPolicy: how often and how long a failed request is tried again, and the jittered
// exponential backoff between tries ("full jitter": a uniform delay in [0, min(max, base*2^n)],
// so that many clients failing together do not retry together).
// A value type; Delay() is safe to call from any thread (per-thread random state).
#pragma once

#include <chrono>

namespace edgesync::objectstore {

struct RetryPolicy {
  int max_attempts = 5;  // tries in all, the first included
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{5000};

  // The pause before try number `attempt` + 1 (attempt counts from 1).
  std::chrono::milliseconds Delay(int attempt) const;
};

}  // namespace edgesync::objectstore
