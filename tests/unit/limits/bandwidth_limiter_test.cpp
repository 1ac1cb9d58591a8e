#include "limits/bandwidth_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>

namespace edgesync::limits {
namespace {

using namespace std::chrono_literals;
using Clock = BandwidthLimiter::Clock;

const std::map<std::string, std::string> kNoLabels;
const std::map<std::string, std::string> kEdgeLabels = {{"site", "hall-3"}};

BandwidthConfig NodeWide(uint64_t send, uint64_t recv) {
  BandwidthConfig config;
  config.max_send = Rate{send};
  config.max_recv = Rate{recv};
  return config;
}

TEST(BandwidthLimiterTest, PeersShareTheNodeWideBucket) {
  BandwidthLimiter limiter(NodeWide(1 << 20, 0), [] { return std::time_t{0}; });
  const std::string a = "edge-1", b = "edge-2", role = "edge";
  const Clock::time_point now = Clock::now();
  limiter.Consume(Direction::kSend, {a, kNoLabels, role}, 1 << 20, now);
  EXPECT_GT(limiter.Delay(Direction::kSend, {b, kNoLabels, role}, now), 800ms)
      << "edge-1's bytes count for edge-2";
  EXPECT_EQ(limiter.Delay(Direction::kRecv, {b, kNoLabels, role}, now), 0ns) << "receiving is unlimited";
  EXPECT_EQ(limiter.Current().node_sent_bytes, 1u << 20);
}

TEST(BandwidthLimiterTest, OverridesGiveMatchingPeersBucketsOfTheirOwn) {
  BandwidthConfig config = NodeWide(1 << 20, 1 << 20);
  config.peers.push_back({"lan-cache", {}, Rate{}, std::nullopt});  // send unlimited
  config.peers.push_back({"", {{"role", "edge"}, {"site", "hall-3"}}, Rate{4 << 20}, std::nullopt});
  BandwidthLimiter limiter(config, [] { return std::time_t{0}; });
  const std::string lan = "lan-cache", edge = "edge-1", other = "edge-9", cloud = "cloud-1";
  const std::string edge_role = "edge", cloud_role = "cloud";
  const Clock::time_point now = Clock::now();

  EXPECT_TRUE(limiter.RateFor(Direction::kSend, {lan, kNoLabels, cloud_role}).unlimited());
  EXPECT_EQ(limiter.RateFor(Direction::kRecv, {lan, kNoLabels, cloud_role}), Rate{1 << 20})
      << "an override without recv leaves receiving node-wide";
  EXPECT_EQ(limiter.RateFor(Direction::kSend, {edge, kEdgeLabels, edge_role}), Rate{4 << 20});
  EXPECT_EQ(limiter.RateFor(Direction::kSend, {other, kNoLabels, edge_role}), Rate{1 << 20})
      << "every label of the selector must match";
  EXPECT_EQ(limiter.RateFor(Direction::kSend, {cloud, kNoLabels, cloud_role}), Rate{1 << 20});

  // Bytes to an overridden peer do not count against the node-wide bucket.
  limiter.Consume(Direction::kSend, {edge, kEdgeLabels, edge_role}, 8 << 20, now);
  limiter.Consume(Direction::kSend, {lan, kNoLabels, cloud_role}, 1ull << 30, now);
  EXPECT_EQ(limiter.Delay(Direction::kSend, {cloud, kNoLabels, cloud_role}, now), 0ns);
  EXPECT_GT(limiter.Delay(Direction::kSend, {edge, kEdgeLabels, edge_role}, now), 1s);
  EXPECT_EQ(limiter.Delay(Direction::kSend, {lan, kNoLabels, cloud_role}, now), 0ns);
}

TEST(BandwidthLimiterTest, RefreshFollowsTheScheduleAndApplyTheReload) {
  const char* tz = std::getenv("TZ");
  const std::string saved = tz ? tz : "";
  setenv("TZ", "UTC0", 1);
  tzset();
  std::atomic<std::time_t> wall{1'765'065'600};  // 2025-12-07 00:00 UTC
  BandwidthConfig config = NodeWide(0, 0);
  config.schedule.push_back(*MakeRateWindow("daily", "08:00", "18:00", "2MiB/s", "1MiB/s"));
  BandwidthLimiter limiter(config, [&wall] { return wall.load(); });
  const std::string node = "peer", role = "edge";
  EXPECT_TRUE(limiter.RateFor(Direction::kSend, {node, kNoLabels, role}).unlimited());
  EXPECT_EQ(limiter.Current().node.until, wall.load() + 8 * 3600);

  wall += 8 * 3600;  // the window starts
  LimitsInForce in = limiter.Refresh();
  EXPECT_EQ(in.window, 0);
  EXPECT_EQ(limiter.RateFor(Direction::kSend, {node, kNoLabels, role}), Rate{2 << 20});
  EXPECT_EQ(limiter.RateFor(Direction::kRecv, {node, kNoLabels, role}), Rate{1 << 20});

  config.schedule.clear();
  config.max_send = Rate{5 << 20};
  limiter.Apply(config);
  EXPECT_EQ(limiter.RateFor(Direction::kSend, {node, kNoLabels, role}), Rate{5 << 20});
  EXPECT_TRUE(limiter.RateFor(Direction::kRecv, {node, kNoLabels, role}).unlimited());
  EXPECT_EQ(limiter.Current().config, config);
  if (tz)
    setenv("TZ", saved.c_str(), 1);
  else
    unsetenv("TZ");
  tzset();
}

}  // namespace
}  // namespace edgesync::limits
