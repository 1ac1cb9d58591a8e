#include "store/hlc.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

TEST(HybridClockTest, NeverGoesBackwardsAfterRebootIn1970) {
  uint64_t wall = 1'700'000'000'000;
  HybridClock before(0, 60'000, [&] { return wall; });
  HlcStamp last = before.Now();
  EXPECT_EQ(HlcMillis(last), wall);
  // Reboot without a real-time clock: wall time is near zero, persisted high water survives.
  uint64_t wall_1970 = 5'000;
  HybridClock after(before.high_water(), 60'000, [&] { return wall_1970; });
  HlcStamp next = after.Now();
  EXPECT_GT(next, last);
  EXPECT_GT(after.Now(), next);
}

TEST(HybridClockTest, ClampsRemoteStampsTooFarAhead) {
  uint64_t wall = 1'700'000'000'000;
  HybridClock clock(0, 60'000, [&] { return wall; });
  bool clamped = false;
  HlcStamp near = (wall + 1'000) << 16;
  EXPECT_EQ(clock.Observe(near, &clamped), near);
  EXPECT_FALSE(clamped);
  HlcStamp far = (wall + 10ull * 365 * 24 * 3600 * 1000) << 16;
  HlcStamp accepted = clock.Observe(far, &clamped);
  EXPECT_TRUE(clamped);
  EXPECT_EQ(HlcMillis(accepted), wall + 60'000);
  EXPECT_LT(HlcMillis(clock.Now()), wall + 61'000);
}

}  // namespace
}  // namespace edgesync
