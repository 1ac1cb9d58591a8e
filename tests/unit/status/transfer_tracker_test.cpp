#include "status/transfer_tracker.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

using std::chrono::milliseconds;
using Clock = TransferTracker::Clock;

replication::TransferStatus Status(uint64_t done, uint64_t total = 1000) {
  return {"model/m", "v1", "peer-a", {"peer-a"}, true, total, done};
}

TEST(TransferTrackerTest, EmitsAtMostOneProgressEventPerInterval) {
  TransferTracker tracker(milliseconds(250));
  auto t0 = Clock::now();
  auto e = tracker.Sample(t0, 1, {Status(0)});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0]["state"], "running");
  EXPECT_EQ(e[0]["sources"], nlohmann::json::array({"peer-a"}));
  EXPECT_FALSE(e[0].contains("rate_bps"));  // not measured yet
  EXPECT_TRUE(tracker.Sample(t0 + milliseconds(100), 2, {Status(100)}).empty());
  e = tracker.Sample(t0 + milliseconds(500), 3, {Status(500)});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0]["done_bytes"], 500);
  EXPECT_EQ(e[0]["total_bytes"], 1000);
  EXPECT_EQ(e[0]["rate_bps"], 1000);  // 500 bytes in 0.5 s
  EXPECT_DOUBLE_EQ(e[0]["eta_s"].get<double>(), 0.5);
  // No progress: nothing to say.
  EXPECT_TRUE(tracker.Sample(t0 + milliseconds(1000), 4, {Status(500)}).empty());
}

TEST(TransferTrackerTest, AnAppliedTransferEndsDoneAndIsTimed) {
  TransferTracker tracker(milliseconds(250));
  auto t0 = Clock::now();
  tracker.Sample(t0, 1, {Status(0)});
  tracker.MarkApplied("model/m", "v1", true, t0 + milliseconds(1900));
  auto e = tracker.Sample(t0 + milliseconds(2000), 2, {});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0]["state"], "done");
  EXPECT_EQ(e[0]["done_bytes"], 1000);
  auto durations = tracker.TakeFinishedDurations();
  ASSERT_EQ(durations.size(), 1u);
  EXPECT_NEAR(durations[0], 2.0, 1e-9);
  EXPECT_TRUE(tracker.Sample(t0 + milliseconds(3000), 3, {}).empty());
}

TEST(TransferTrackerTest, ATransferThatVanishesUnappliedFailed) {
  TransferTracker tracker;
  auto t0 = Clock::now();
  tracker.Sample(t0, 1, {Status(10)});
  auto e = tracker.Sample(t0 + milliseconds(300), 2, {});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0]["state"], "failed");
  EXPECT_TRUE(e[0].contains("error"));
  EXPECT_TRUE(tracker.TakeFinishedDurations().empty());
}

TEST(TransferTrackerTest, AppliedBeforeLeavingTheListStillEndsDone) {
  // The version commits while the transfer is still listed; it leaves the list a sample later.
  TransferTracker tracker;
  auto t0 = Clock::now();
  tracker.Sample(t0, 1, {Status(0)});
  tracker.MarkApplied("model/m", "v1", true, t0 + milliseconds(100));
  EXPECT_TRUE(tracker.Sample(t0 + milliseconds(200), 2, {Status(1000)}).empty());
  auto e = tracker.Sample(t0 + milliseconds(450), 3, {});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0]["state"], "done");
}

TEST(TransferTrackerTest, ReplicatedVersionNeverSampledGetsABareDoneEvent) {
  TransferTracker tracker;
  auto t0 = Clock::now();
  tracker.MarkApplied("model/fast", "v9", true, t0);
  tracker.MarkApplied("model/mine", "v8", false, t0);  // a local put is no transfer
  auto e = tracker.Sample(t0 + milliseconds(10), 1, {});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0]["key"], "model/fast");
  EXPECT_EQ(e[0]["state"], "done");
  EXPECT_FALSE(e[0].contains("done_bytes"));  // unknown, so omitted
  EXPECT_TRUE(tracker.Sample(t0 + milliseconds(300), 2, {}).empty());
}

}  // namespace
}  // namespace edgesync
