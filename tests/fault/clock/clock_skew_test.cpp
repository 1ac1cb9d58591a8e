// Clock faults with real daemons: one node runs under libfaketime with its wall clock shifted
// (monotonic clocks left alone), the way a box with a wrong or dead RTC would.
//  - Two years ahead (certificates valid ten years, so TLS accepts both ways): it joins; both
//    sides measure and show the skew (`peers`, `status`) and log it; the real-clock node takes
//    its versions without its own clock following them (HLC clamp), and a causally later write
//    wins over a future stamp; concurrent writes end with the same heads everywhere.
//  - Two years behind: its own certificate is not valid yet by its clock, so the daemon refuses
//    to start and says to check the clock (refused loudly, not silently).
//  - Four minutes behind (inside the certificates' 5-minute not-before margin): it joins and its
//    HLC follows the peer, so its next write is stamped after the version it saw.
#include <unistd.h>

#include <iostream>
#include <map>
#include <random>

#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;

constexpr const char* kFakeTimeLib = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kTwoYearsMs = 730 * kDayMs;
constexpr int64_t kTolerance = 60'000;  // measurement slack: process start, hello latency

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

class ClockSkewTest : public ClusterFixture {
 protected:
  void SetUp() override {
    ClusterFixture::SetUp();
    if (access(kFakeTimeLib, R_OK) != 0) {
      GTEST_SKIP() << kFakeTimeLib << " is missing (Debian package faketime; scripts/setup.sh "
                   << "installs it): cannot run a daemon with a shifted clock";
    }
  }

  // `offset` in libfaketime's syntax ("+730d", "-240s").
  static void ShiftClock(TestNode& node, const std::string& offset) {
    node.env = {std::string("LD_PRELOAD=") + kFakeTimeLib, "FAKETIME=" + offset,
                "FAKETIME_DONT_FAKE_MONOTONIC=1", "FAKETIME_NO_CACHE=1"};
  }

  std::optional<int64_t> PeerSkew(const TestNode& node, const std::string& peer) {
    json entry = PeerEntry(CliJson(node, {"peers"}), peer);
    if (!entry.is_object() || !entry["clock_skew_ms"].is_number()) return std::nullopt;
    return entry["clock_skew_ms"].get<int64_t>();
  }

  std::optional<int64_t> NodeSkew(const TestNode& node) {
    json status = CliJson(node, {"status"});
    if (!status.is_object() || !status["clock_skew_ms"].is_number()) return std::nullopt;
    return status["clock_skew_ms"].get<int64_t>();
  }

  // The retained versions of `key` on `node`, newest first (`history --json`).
  json Versions(const TestNode& node, const std::string& key) {
    json v = CliJson(node, {"history", key});
    return v.is_object() ? v.value("versions", json::array()) : json::array();
  }

  fs::path Source(const std::string& name, uint64_t seed) {
    std::mt19937_64 rng(seed);
    fs::path dir = root() / ("src-" + name);
    WriteRandomFile(dir / "weights.bin", rng, 64u << 10);
    return dir;
  }
};

TEST_F(ClockSkewTest, NodeTwoYearsAheadJoinsAndDoesNotDragOtherClocks) {
  fs::path ca = MakeCa("ca", "clocks");
  TestNode& cloud = AddNode("cloud-1", ca, "cloud", 3650);
  TestNode& fast = AddNode("edge-fast", ca, "edge", 3650);
  ShiftClock(fast, "+730d");
  ASSERT_NO_FATAL_FAILURE(Start(cloud));
  ASSERT_NO_FATAL_FAILURE(Start(fast, {&cloud}));
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(fast) == 1 && ConnectedPeers(cloud) == 1; }))
      << ReadFileText(fast.log());

  // Measured on both sides, in peers and status, and logged.
  std::optional<int64_t> seen_by_cloud = PeerSkew(cloud, "edge-fast");
  std::optional<int64_t> seen_by_fast = PeerSkew(fast, "cloud-1");
  ASSERT_TRUE(seen_by_cloud && seen_by_fast);
  EXPECT_NEAR(static_cast<double>(*seen_by_cloud), kTwoYearsMs, kTolerance);
  EXPECT_NEAR(static_cast<double>(*seen_by_fast), -kTwoYearsMs, kTolerance);
  std::optional<int64_t> fast_node = NodeSkew(fast);
  ASSERT_TRUE(fast_node.has_value());
  EXPECT_NEAR(static_cast<double>(*fast_node), kTwoYearsMs, kTolerance);
  std::cout << "skew: cloud sees edge-fast at " << *seen_by_cloud << " ms; edge-fast's status says "
            << *fast_node << " ms\n";
  std::string cloud_log = ReadFileText(cloud.log());
  EXPECT_NE(cloud_log.find("CLOCK SKEW peer=edge-fast"), std::string::npos);
  EXPECT_NE(cloud_log.find("days ahead of ours"), std::string::npos);

  // edge-fast writes; the cloud takes the version but its own clock does not follow.
  fs::path v1 = Source("v1", 1), v2 = Source("v2", 2);
  ASSERT_EQ(Cli(fast, {"put", "model/m", v1.string()}).exit_code, 0);
  fs::path got;
  ASSERT_TRUE(WaitForGet(cloud, "model/m", &got));
  EXPECT_TRUE(PollUntil([&] {
    return ReadFileText(cloud.log()).find("our clock did not follow it") != std::string::npos;
  }, seconds(10))) << "the clamp was not logged";
  // A causally later write on the cloud wins even though its stamp is two years "older".
  ASSERT_EQ(Cli(cloud, {"put", "model/m", v2.string()}).exit_code, 0);
  json versions = Versions(cloud, "model/m");
  ASSERT_EQ(versions.size(), 2u) << versions;
  // The cloud's own stamp stays within the clamp (5 min) of real time.
  for (const json& v : versions) {
    if (v["author"] != "cloud-1") continue;
    int64_t cloud_stamp_ms = static_cast<int64_t>(v["hlc"].get<uint64_t>() >> 16);
    EXPECT_NEAR(static_cast<double>(cloud_stamp_ms), static_cast<double>(NowMs()), 5 * 60'000.0 + kTolerance)
        << "the cloud's clock followed the future stamp";
    std::cout << "cloud's write after seeing a stamp 2 years ahead: " << cloud_stamp_ms - NowMs()
              << " ms from real time\n";
  }
  std::string why;
  EXPECT_TRUE(PollUntil([&] {
    fs::path out = root() / ("fast-get-" + std::to_string(NowMs()));
    return Cli(fast, {"get", "model/m", out.string()}).exit_code == 0 && SameTree(v2, out, &why);
  })) << "edge-fast did not end on the cloud's later version: " << why;

  // Concurrent writes while apart: every node ends with the same heads.
  ASSERT_TRUE(Stop(fast).has_value());
  fs::path c1 = Source("c1", 3), c2 = Source("c2", 4);
  ASSERT_EQ(Cli(cloud, {"put", "model/c", c1.string()}).exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(Start(fast));  // not dialing yet: the write below is concurrent
  ASSERT_EQ(Cli(fast, {"put", "model/c", c2.string()}).exit_code, 0);
  ASSERT_TRUE(Stop(fast).has_value());
  ASSERT_NO_FATAL_FAILURE(Start(fast, {&cloud}));
  std::map<std::string, std::string> on_cloud, on_fast;
  EXPECT_TRUE(PollUntil([&] {
    on_cloud = HeadsByKey(CliJson(cloud, {"ls"}));
    on_fast = HeadsByKey(CliJson(fast, {"ls"}));
    return on_cloud.count("model/c") && on_cloud == on_fast;
  }, seconds(30))) << "heads differ after the concurrent writes";
  std::cout << "after concurrent writes both nodes list model/c as " << on_cloud["model/c"]
            << " (version/heads)\n";
}

TEST_F(ClockSkewTest, NodeTwoYearsBehindRefusesToStartWithAClockHint) {
  fs::path ca = MakeCa("ca", "clocks");
  TestNode& cloud = AddNode("cloud-1", ca, "cloud", 3650);
  TestNode& slow = AddNode("edge-slow", ca, "edge", 3650);
  ShiftClock(slow, "-730d");
  ASSERT_NO_FATAL_FAILURE(Start(cloud));
  // By its clock its own certificate is not valid yet: the daemon refuses to start (exit code
  // non-zero) and says to check the clock, rather than running without links.
  std::vector<std::string> env = slow.env;
  env.push_back("NOTIFY_SOCKET=");
  ProcessResult run = RunProcess({EDGESYNCD_BIN, "--data-dir", slow.data_dir.string(), "--node-name",
                                  slow.name, "--peer-listen", "127.0.0.1:0", "--peer", cloud.address()},
                                 seconds(20), env);
  EXPECT_NE(run.exit_code, 0);
  EXPECT_FALSE(run.timed_out) << "the daemon started with a certificate its clock calls not yet valid";
  EXPECT_NE(run.err.find("not yet valid"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("check this node's clock"), std::string::npos) << run.err;
  std::cout << "node 2 years behind: " << run.err;
  EXPECT_EQ(ConnectedPeers(cloud), 0u);
}

TEST_F(ClockSkewTest, NodeMinutesBehindFollowsThePeerClock) {
  fs::path ca = MakeCa("ca", "clocks");
  TestNode& cloud = AddNode("cloud-1", ca, "cloud", 3650);
  TestNode& slow = AddNode("edge-slow", ca, "edge", 3650);
  ShiftClock(slow, "-240s");
  ASSERT_NO_FATAL_FAILURE(Start(cloud));
  ASSERT_NO_FATAL_FAILURE(Start(slow, {&cloud}));
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(slow) == 1; })) << ReadFileText(slow.log());
  std::optional<int64_t> skew = PeerSkew(slow, "cloud-1");
  ASSERT_TRUE(skew.has_value());
  EXPECT_NEAR(static_cast<double>(*skew), 240'000.0, 5'000.0);
  std::optional<int64_t> own = NodeSkew(slow);
  ASSERT_TRUE(own.has_value());
  EXPECT_NEAR(static_cast<double>(*own), -240'000.0, 5'000.0);

  fs::path v1 = Source("v1", 5), v2 = Source("v2", 6);
  ASSERT_EQ(Cli(cloud, {"put", "model/m", v1.string()}).exit_code, 0);
  fs::path got;
  ASSERT_TRUE(WaitForGet(slow, "model/m", &got));
  ASSERT_EQ(Cli(slow, {"put", "model/m", v2.string()}).exit_code, 0);
  json versions = Versions(slow, "model/m");
  ASSERT_EQ(versions.size(), 2u) << versions;
  uint64_t newer = versions[0]["hlc"].get<uint64_t>(), older = versions[1]["hlc"].get<uint64_t>();
  EXPECT_GT(newer, older) << "the slow node stamped its later write before the version it saw";
  std::cout << "slow node's write stamped " << (static_cast<int64_t>(newer >> 16) - NowMs())
            << " ms from real time (its own clock is 240000 ms behind)\n";
}

}  // namespace
}  // namespace edgesync::testing
