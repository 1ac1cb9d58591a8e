#include "limits/token_bucket.h"

#include <gtest/gtest.h>

namespace edgesync::limits {
namespace {

using namespace std::chrono_literals;
using Clock = TokenBucket::Clock;

// Sends `frame` bytes whenever the bucket lets it, from `start` for `span` of fake time, in
// steps of at most 1 ms; returns the bytes sent.
uint64_t SendFor(TokenBucket& bucket, Clock::time_point& now, std::chrono::nanoseconds span, uint64_t frame) {
  const Clock::time_point end = now + span;
  uint64_t sent = 0;
  while (now < end) {
    const auto delay = bucket.Delay(now);
    if (delay.count() == 0) {
      bucket.Consume(frame, now);
      sent += frame;
      continue;
    }
    now += std::min<std::chrono::nanoseconds>(delay, end - now);
  }
  return sent;
}

TEST(TokenBucketTest, StartsFullThenPaysItsDebt) {
  Clock::time_point now{};
  TokenBucket bucket(Rate{1 << 20}, now);
  EXPECT_EQ(bucket.burst(), (1u << 20) / 10);
  EXPECT_EQ(bucket.Delay(now), 0ns);
  bucket.Consume(bucket.burst() + (512u << 10), now);  // half a second in debt
  EXPECT_EQ(bucket.Delay(now), 500ms);
  EXPECT_EQ(bucket.Delay(now + 250ms), 250ms);
  EXPECT_EQ(bucket.Delay(now + 500ms), 0ns);
}

TEST(TokenBucketTest, HoldsTheRateWithFramesLargerThanTheBurst) {
  for (uint64_t rate : {uint64_t{5} << 20, uint64_t{10} << 20, uint64_t{50} << 20}) {
    Clock::time_point now{};
    TokenBucket bucket(Rate{rate}, now);
    const uint64_t burst = bucket.burst();
    const uint64_t sent = SendFor(bucket, now, 10s, 256u << 10);
    // The first burst goes at once; after it, the rate holds to within one frame.
    const double measured = static_cast<double>(sent - burst) / 10.0;
    EXPECT_NEAR(measured / static_cast<double>(rate), 1.0, 0.005) << rate;
  }
}

TEST(TokenBucketTest, NewRateTakesEffectWithoutLosingDebt) {
  Clock::time_point now{};
  TokenBucket bucket(Rate{1 << 20}, now);
  const uint64_t slow = SendFor(bucket, now, 4s, 64u << 10);
  bucket.SetRate(Rate{4 << 20}, now);
  const uint64_t fast = SendFor(bucket, now, 4s, 64u << 10);
  EXPECT_NEAR(static_cast<double>(slow) / (4 << 20), 1.0, 0.05);
  EXPECT_NEAR(static_cast<double>(fast) / (16 << 20), 1.0, 0.05);
}

TEST(TokenBucketTest, UnlimitedNeverWaits) {
  Clock::time_point now{};
  TokenBucket bucket(Rate{}, now);
  bucket.Consume(1ull << 40, now);
  EXPECT_EQ(bucket.Delay(now), 0ns);
  bucket.SetRate(Rate{1 << 20}, now);  // from unlimited: no debt carried over
  EXPECT_EQ(bucket.Delay(now), 0ns);
}

TEST(TokenBucketTest, IdleTimeFillsOnlyTheBurst) {
  Clock::time_point now{};
  TokenBucket bucket(Rate{1 << 20}, now);
  now += 1h;
  bucket.Consume(bucket.burst() + (1u << 20), now);
  EXPECT_EQ(bucket.Delay(now), 1s) << "an idle hour is not banked";
}

}  // namespace
}  // namespace edgesync::limits
