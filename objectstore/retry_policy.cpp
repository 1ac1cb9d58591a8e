#include "objectstore/retry_policy.h"

#include <algorithm>
#include <random>

namespace edgesync::objectstore {

std::chrono::milliseconds RetryPolicy::Delay(int attempt) const {
  thread_local std::mt19937_64 random(std::random_device{}());
  int doublings = std::clamp(attempt - 1, 0, 20);
  auto ceiling = std::min<std::chrono::milliseconds::rep>(max_delay.count(), base_delay.count() << doublings);
  std::uniform_int_distribution<std::chrono::milliseconds::rep> pick(0,
                                                                     std::max<decltype(ceiling)>(ceiling, 0));
  return std::chrono::milliseconds(pick(random));
}

}  // namespace edgesync::objectstore
