#include "transport/reconnect_backoff.h"

#include <algorithm>

namespace edgesync::transport {

ReconnectBackoff::ReconnectBackoff(std::chrono::milliseconds initial,
                                   std::chrono::milliseconds max)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      random_(std::random_device{}()) {}

std::chrono::milliseconds ReconnectBackoff::NextDelay() {
  auto base = initial_;
  for (int i = 0; i < attempt_ && base < max_; ++i) base *= 2;
  base = std::min(base, max_);
  if (attempt_ < 62) ++attempt_;
  std::uniform_int_distribution<std::int64_t> jitter(base.count() / 2, base.count());
  return std::chrono::milliseconds(jitter(random_));
}

}  // namespace edgesync::transport
