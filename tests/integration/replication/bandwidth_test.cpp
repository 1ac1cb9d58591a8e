// Bandwidth limits, schedules and priorities between two TLS daemons (docs/config.md
// "Bandwidth limits, schedules and priorities"): a send limit and a receive limit hold within
// 10% by the daemons' own byte counters, a schedule edge (driven by the test clock file, not by
// waiting for wall time) changes the rate mid-transfer without restarting the link, and an
// urgent model put during a bulk transfer arrives in under 2 s.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <random>

#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
constexpr uint64_t kMiB = 1 << 20;

class BandwidthTest : public ClusterFixture {
 protected:
  // cloud-1 (holding the data) and edge-1 dialing it, with extra flags for each.
  void StartPair(const std::vector<std::string>& cloud_args, const std::vector<std::string>& edge_args) {
    fs::path ca = MakeCa("ca", "factory-1");
    cloud_ = &AddNode("cloud-1", ca, "cloud");
    edge_ = &AddNode("edge-1", ca, "edge");
    cloud_->env = cloud_env_;
    Start(*cloud_, {}, cloud_args);
    Start(*edge_, {cloud_}, edge_args);
    ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(*edge_) == 1 && ConnectedPeers(*cloud_) == 1; }))
        << ReadFileText(edge_->log());
  }

  // Puts `bytes` of incompressible data under `key` on the cloud node.
  void PutRandom(const std::string& key, uint64_t bytes, uint64_t seed) {
    std::mt19937_64 rng(seed);
    fs::path src = root() / ("src-" + std::to_string(seed));
    WriteRandomFile(src / "weights.bin", rng, bytes);
    ProcessResult put = Cli(*cloud_, {"put", key, src.string()});
    ASSERT_EQ(put.exit_code, 0) << put.err;
  }

  // A byte counter of `node`'s link to `peer` (`bytes_in` or `bytes_out` in `peers --json`).
  uint64_t Counter(const TestNode& node, const std::string& peer, const char* field) {
    json entry = PeerEntry(CliJson(node, {"peers"}), peer);
    return entry.is_object() ? entry.value(field, uint64_t{0}) : 0;
  }

  // The rate the counter grows at, from the first reading past `from` to the first past
  // `from + span` (each reading timed when its CLI call returns). 0 when it stalls.
  double MeasureRate(const std::function<uint64_t()>& counter, uint64_t from, uint64_t span) {
    uint64_t b0 = 0, b1 = 0;
    Clock::time_point t0, t1;
    if (!PollUntil([&] { return (b0 = counter()) >= from; }, std::chrono::seconds(60))) return 0;
    t0 = Clock::now();
    if (!PollUntil([&] { return (b1 = counter()) >= from + span; }, std::chrono::seconds(120))) return 0;
    t1 = Clock::now();
    return static_cast<double>(b1 - b0) / std::chrono::duration<double>(t1 - t0).count();
  }

  TestNode* cloud_ = nullptr;
  TestNode* edge_ = nullptr;
  std::vector<std::string> cloud_env_;
};

TEST_F(BandwidthTest, SendLimitHoldsWithinTenPercent) {
  StartPair({"--max-send-rate", "5MiB/s"}, {});
  PutRandom("model/large", 168 * kMiB, 1);
  // 150 MiB after the first 8 (slow start and the bucket's first burst): 30 s, as issue #23 asks.
  const double rate =
      MeasureRate([&] { return Counter(*cloud_, "edge-1", "bytes_out"); }, 8 * kMiB, 150 * kMiB);
  EXPECT_NEAR(rate / (5 * kMiB), 1.0, 0.10) << rate / kMiB << " MiB/s";
  std::printf("5 MiB/s send limit: %.3f MiB/s measured\n", rate / kMiB);
  json limits = CliJson(*cloud_, {"limits"});
  EXPECT_EQ(limits.value("send", ""), "5 MiB/s") << limits;
  EXPECT_EQ(limits.value("recv", ""), "unlimited") << limits;
  ProcessResult human = Cli(*cloud_, {"limits"});
  EXPECT_NE(human.out.find("in force: send 5 MiB/s, receive unlimited"), std::string::npos) << human.out;
  fs::path out;
  EXPECT_TRUE(WaitForGet(*edge_, "model/large", &out, std::chrono::seconds(60)))
      << ReadFileText(edge_->log());
}

TEST_F(BandwidthTest, ReceiveLimitPacesRequests) {
  StartPair({}, {"--max-recv-rate", "5MiB/s"});
  PutRandom("model/large", 40 * kMiB, 2);
  const double rate =
      MeasureRate([&] { return Counter(*edge_, "cloud-1", "bytes_in"); }, 4 * kMiB, 30 * kMiB);
  EXPECT_NEAR(rate / (5 * kMiB), 1.0, 0.10) << rate / kMiB << " MiB/s";
  std::printf("5 MiB/s receive limit: %.3f MiB/s measured\n", rate / kMiB);
  fs::path out;
  EXPECT_TRUE(WaitForGet(*edge_, "model/large", &out, std::chrono::seconds(60)))
      << ReadFileText(edge_->log());
}

// SIGHUP applies new limits and priorities at once; a bad file is logged and the running limits
// stay.
TEST_F(BandwidthTest, ReloadAppliesLimitsAndRefusesBadOnes) {
  const fs::path config = root() / "cloud.toml";
  std::ofstream(config) << "[network]\nmax_send_rate = \"2MiB/s\"\n";
  StartPair({"--config", config.string()}, {});
  EXPECT_EQ(CliJson(*cloud_, {"limits"}).value("send", ""), "2 MiB/s");

  std::ofstream(config) << "[network]\nmax_send_rate = \"4MiB/s\"\nmax_recv_rate = \"1MiB/s\"\n"
                           "[sync]\npriorities = [\"model/*=urgent\"]\n";
  cloud_->process->Signal(SIGHUP);
  json limits;
  ASSERT_TRUE(PollUntil([&] {
    limits = CliJson(*cloud_, {"limits"});
    return limits.value("send", "") == "4 MiB/s";
  })) << limits;
  EXPECT_EQ(limits.value("recv", ""), "1 MiB/s");
  ASSERT_EQ(limits["priorities"].size(), 1u) << limits;
  EXPECT_EQ(limits["priorities"][0].value("class", ""), "urgent");

  std::ofstream(config) << "[network]\nmax_send_rate = \"4MiB/s\"\n"
                           "[[network.rate_schedule]]\ndays = \"sun\"\nfrom = \"08:00\"\nto = \"08:00\"\n";
  cloud_->process->Signal(SIGHUP);
  ASSERT_TRUE(
      PollUntil([&] { return ReadFileText(cloud_->log()).find("reload failed") != std::string::npos; }));
  EXPECT_NE(ReadFileText(cloud_->log()).find("is empty"), std::string::npos);
  limits = CliJson(*cloud_, {"limits"});
  EXPECT_EQ(limits.value("recv", ""), "1 MiB/s") << "the running limits stay";
  EXPECT_EQ(ConnectedPeers(*cloud_), 1u);
}

TEST_F(BandwidthTest, ScheduleEdgeChangesTheRateWithoutRestartingTheTransfer) {
  // The cloud reads its schedule's time from a file the test moves; its zone is UTC.
  const fs::path clock = root() / "schedule-clock";
  auto set_clock = [&](int hour, int minute) {
    std::tm tm{};
    tm.tm_year = 2026 - 1900, tm.tm_mon = 11, tm.tm_mday = 7, tm.tm_hour = hour, tm.tm_min = minute;
    std::ofstream(clock) << timegm(&tm) << "\n";
    return static_cast<int64_t>(timegm(&tm));
  };
  set_clock(17, 59);
  cloud_env_ = {"TZ=UTC0", "EDGESYNC_TEST_SCHEDULE_CLOCK=" + clock.string()};
  const fs::path config = root() / "cloud.toml";
  std::ofstream(config) << "[network]\nmax_send_rate = \"8MiB/s\"\n"
                           "[[network.rate_schedule]]\ndays = \"daily\"\nfrom = \"08:00\"\nto = \"18:00\"\n"
                           "send = \"2MiB/s\"\n";
  StartPair({"--config", config.string()}, {});
  json limits = CliJson(*cloud_, {"limits"});
  EXPECT_EQ(limits.value("send", ""), "2 MiB/s") << limits;
  EXPECT_EQ(limits.value("window", ""), "daily 08:00-18:00") << limits;
  EXPECT_EQ(limits.value("until", ""), "2026-12-07 18:00 UTC") << limits;

  PutRandom("model/large", 48 * kMiB, 3);
  auto sent = [&] { return Counter(*cloud_, "edge-1", "bytes_out"); };
  const double slow = MeasureRate(sent, 2 * kMiB, 6 * kMiB);
  EXPECT_NEAR(slow / (2 * kMiB), 1.0, 0.15) << slow / kMiB << " MiB/s in the window";

  const int64_t edge_time = set_clock(18, 0);
  ASSERT_TRUE(PollUntil([&] {
    limits = CliJson(*cloud_, {"limits"});
    return limits.value("send_bytes_per_second", uint64_t{0}) == 8 * kMiB;
  })) << limits;
  EXPECT_TRUE(limits["window"].is_null()) << limits;
  EXPECT_EQ(limits.value("until_ms", int64_t{0}), (edge_time + 14 * 3600) * 1000) << "08:00 the next day";
  const double fast = MeasureRate(sent, sent() + kMiB, 20 * kMiB);
  EXPECT_NEAR(fast / (8 * kMiB), 1.0, 0.15) << fast / kMiB << " MiB/s after the window";
  std::printf("schedule: %.3f MiB/s in the window (2), %.3f MiB/s after its edge (8)\n", slow / kMiB,
              fast / kMiB);

  fs::path out;
  EXPECT_TRUE(WaitForGet(*edge_, "model/large", &out, std::chrono::seconds(60)))
      << ReadFileText(edge_->log());
  // One link all along: the rate changed under the transfer, not by restarting it.
  const std::string log = ReadFileText(cloud_->log());
  size_t ups = 0;
  for (size_t at = log.find("transport: link up"); at != std::string::npos;
       at = log.find("transport: link up", at + 1))
    ++ups;
  EXPECT_EQ(ups, 1u) << log;
}

TEST_F(BandwidthTest, UrgentModelOvertakesABulkTransfer) {
  const std::vector<std::string> priorities = {"--priority", "model/hotfix=urgent", "--priority",
                                               "model/backfill=bulk"};
  std::vector<std::string> cloud_args = priorities;
  cloud_args.insert(cloud_args.end(), {"--max-send-rate", "20MiB/s"});
  StartPair(cloud_args, priorities);
  PutRandom("model/backfill", 192 * kMiB, 4);
  ASSERT_TRUE(PollUntil([&] { return Counter(*edge_, "cloud-1", "bytes_in") >= 24 * kMiB; },
                        std::chrono::seconds(60)));

  PutRandom("model/hotfix", 4 * kMiB, 5);
  const Clock::time_point put_done = Clock::now();
  fs::path out;
  ASSERT_TRUE(WaitForGet(*edge_, "model/hotfix", &out, std::chrono::seconds(30)))
      << ReadFileText(edge_->log());
  const double latency = std::chrono::duration<double>(Clock::now() - put_done).count();
  EXPECT_LT(latency, 2.0) << "the urgent model waited for the bulk one";
  // The bulk transfer was still going: the urgent one overtook it.
  EXPECT_LT(Counter(*edge_, "cloud-1", "bytes_in"), 192 * kMiB);
  std::printf("urgent 4 MiB model during a bulk transfer at 20 MiB/s: %.2f s\n", latency);
}

}  // namespace
}  // namespace edgesync::testing
