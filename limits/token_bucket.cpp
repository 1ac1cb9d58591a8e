#include "limits/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace edgesync::limits {
namespace {

constexpr uint64_t kMinBurst = 64 * 1024;

uint64_t BurstOf(Rate rate) { return std::max<uint64_t>(rate.bytes_per_second / 10, kMinBurst); }

}  // namespace

TokenBucket::TokenBucket(Rate rate, Clock::time_point now)
    : rate_(rate), burst_(BurstOf(rate)), tokens_(static_cast<double>(burst_)), last_(now) {}

void TokenBucket::Refill(Clock::time_point now) {
  if (now <= last_) return;
  const double seconds = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  if (rate_.unlimited()) return;
  tokens_ =
      std::min(static_cast<double>(burst_), tokens_ + seconds * static_cast<double>(rate_.bytes_per_second));
}

std::chrono::nanoseconds TokenBucket::Delay(Clock::time_point now) {
  Refill(now);
  if (rate_.unlimited() || tokens_ >= 0) return std::chrono::nanoseconds(0);
  const double seconds = -tokens_ / static_cast<double>(rate_.bytes_per_second);
  return std::chrono::nanoseconds(static_cast<int64_t>(std::ceil(seconds * 1e9)));
}

void TokenBucket::Consume(uint64_t bytes, Clock::time_point now) {
  Refill(now);
  if (!rate_.unlimited()) tokens_ -= static_cast<double>(bytes);
}

void TokenBucket::SetRate(Rate rate, Clock::time_point now) {
  Refill(now);
  rate_ = rate;
  burst_ = BurstOf(rate);
  if (rate.unlimited()) tokens_ = static_cast<double>(burst_);  // no debt survives "unlimited"
  tokens_ = std::min(tokens_, static_cast<double>(burst_));
}

}  // namespace edgesync::limits
