#include "status/rate_window.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

using std::chrono::milliseconds;
using Clock = RateWindow::Clock;

TEST(RateWindowTest, NoRateUntilTwoSamples) {
  RateWindow window(milliseconds(3000));
  EXPECT_EQ(window.BytesPerSecond(), std::nullopt);
  window.Add(Clock::now(), 100);
  EXPECT_EQ(window.BytesPerSecond(), std::nullopt);
}

TEST(RateWindowTest, BusyThenIdleDecaysToZeroAfterTheWindow) {
  RateWindow window(milliseconds(3000));
  const auto t0 = Clock::now();
  const auto at = [&](int ms) { return t0 + milliseconds(ms); };
  window.Add(at(0), 0);
  window.Add(at(1000), 2 << 20);
  EXPECT_EQ(window.BytesPerSecond(), uint64_t{2} << 20);  // 2 MiB in 1 s
  // The transfer ends; the counter stays where it is.
  window.Add(at(2000), 2 << 20);
  EXPECT_EQ(window.BytesPerSecond(), uint64_t{1} << 20);  // still inside the window: 2 MiB / 2 s
  window.Add(at(3000), 2 << 20);
  window.Add(at(4000), 2 << 20);
  EXPECT_EQ(window.BytesPerSecond(), 0u);  // measured from t=1 s, after the last byte
  window.Add(at(30000), 2 << 20);
  EXPECT_EQ(window.BytesPerSecond(), 0u);  // a connected idle peer reads 0, not 2 MiB/s
}

TEST(RateWindowTest, MeasuresOverTheWindowNotTheLastPeriod) {
  RateWindow window(milliseconds(2000));
  const auto t0 = Clock::now();
  for (int second = 0; second <= 10; ++second) window.Add(t0 + milliseconds(1000 * second), 1000 * second);
  EXPECT_EQ(window.BytesPerSecond(), 1000u);
  window.Add(t0 + milliseconds(10250), 10000 + 250);
  EXPECT_EQ(window.BytesPerSecond(), 1000u);  // 2250 bytes over 2.25 s
}

TEST(RateWindowTest, ACounterThatRestartsStartsAfresh) {
  RateWindow window(milliseconds(3000));
  const auto t0 = Clock::now();
  window.Add(t0, 5000);
  window.Add(t0 + milliseconds(1000), 9000);
  window.Add(t0 + milliseconds(2000), 100);  // reconnected: a new link's counter
  EXPECT_EQ(window.BytesPerSecond(), std::nullopt);
  window.Add(t0 + milliseconds(3000), 600);
  EXPECT_EQ(window.BytesPerSecond(), 500u);
  window.Clear();
  EXPECT_EQ(window.BytesPerSecond(), std::nullopt);
}

}  // namespace
}  // namespace edgesync
