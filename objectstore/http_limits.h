// HttpLimits: the limits every request to an object store or an http(s) source has, so a
// dead or stalled server is given up on, not waited for: connect timeout, low-speed cut-off,
// and the retry policy. A value type.
#pragma once

#include <chrono>

#include "objectstore/retry_policy.h"

namespace edgesync::objectstore {

struct HttpLimits {
  std::chrono::milliseconds connect_timeout{10000};
  // A transfer slower than `low_speed_bytes` per second for `low_speed_time` is dropped
  // (and retried like any dropped connection).
  long low_speed_bytes = 1024;
  std::chrono::seconds low_speed_time{30};
  RetryPolicy retry;
};

}  // namespace edgesync::objectstore
