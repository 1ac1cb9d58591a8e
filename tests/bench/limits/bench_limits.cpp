// bench_limits: bandwidth limits and priorities of real edgesyncd nodes over TLS on 127.0.0.1.
//   bench_limits [--seconds N (30)] [--runs N (3)]
// rate_error_pct: a sender limited to 10 and to 50 MiB/s sends one large model; the rate is
// measured from the sender's own byte counter (`peers`, over the control socket) for --seconds
// after the first 8 MiB, and compared with the limit. urgent_latency_s: at a 20 MiB/s limit,
// while a bulk model transfers, a 4 MiB urgent model is put --runs times; seconds from each
// put's return to its version being visible on the receiver, median.
// Prints one line per figure, then one JSON object.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <random>
#include <thread>

#include "tests/support/bench_cluster.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
constexpr uint64_t kMiB = 1 << 20;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

struct Pair {
  BenchCluster cluster;
  TestNode* cloud = nullptr;
  TestNode* edge = nullptr;
};

bool StartPair(Pair& pair, const std::vector<std::string>& cloud_args,
               const std::vector<std::string>& edge_args) {
  fs::path ca = pair.cluster.MakeCa("ca", "bench");
  pair.cloud = &pair.cluster.AddNode("cloud-1", ca, "cloud");
  pair.edge = &pair.cluster.AddNode("edge-1", ca, "edge");
  std::vector<std::string> args = {"--log-level", "info"};
  args.insert(args.end(), cloud_args.begin(), cloud_args.end());
  pair.cluster.Start(*pair.cloud, {}, args);
  args = {"--log-level", "info"};
  args.insert(args.end(), edge_args.begin(), edge_args.end());
  pair.cluster.Start(*pair.edge, {pair.cloud}, args);
  return !::testing::Test::HasFailure();
}

std::optional<std::string> Put(const TestNode& node, const std::string& key, const fs::path& dir,
                               uint64_t bytes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  WriteRandomFile(dir / "weights.bin", rng, bytes);
  auto put = BenchCluster::Call(node, "put", {{"key", key}, {"path", dir.string()}});
  std::error_code ec;
  fs::remove_all(dir, ec);  // the store holds it now
  if (!put) return std::nullopt;
  return put->value("version", "");
}

uint64_t BytesOut(const TestNode& node, const std::string& peer) {
  auto peers = BenchCluster::Call(node, "peers", json::object());
  if (!peers) return 0;
  json entry = PeerEntry(*peers, peer);
  return entry.is_object() ? entry.value("bytes_out", uint64_t{0}) : 0;
}

// Measured MiB/s at a `rate_mib` send limit over `seconds`; -1 on failure.
double MeasureRate(uint64_t rate_mib, double seconds) {
  Pair pair;
  if (!StartPair(pair, {"--max-send-rate", std::to_string(rate_mib) + "MiB/s"}, {})) return -1;
  const uint64_t size = static_cast<uint64_t>(rate_mib * (seconds + 4)) * kMiB;
  if (!Put(*pair.cloud, "model/large", pair.cluster.root() / "src", size, rate_mib)) return -1;
  uint64_t b0 = 0;
  while ((b0 = BytesOut(*pair.cloud, "edge-1")) < 8 * kMiB)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const uint64_t b1 = BytesOut(*pair.cloud, "edge-1");
  return static_cast<double>(b1 - b0) / kMiB / Seconds(t0);
}

// Median seconds for a 4 MiB urgent model to arrive during a bulk transfer at 20 MiB/s.
double UrgentLatency(int runs) {
  Pair pair;
  const std::vector<std::string> priorities = {"--priority", "model/hotfix=urgent", "--priority",
                                               "model/backfill=bulk"};
  std::vector<std::string> cloud_args = priorities;
  cloud_args.insert(cloud_args.end(), {"--max-send-rate", "20MiB/s"});
  if (!StartPair(pair, cloud_args, priorities)) return -1;
  const uint64_t bulk = static_cast<uint64_t>(20 * (2.5 * runs + 6)) * kMiB;
  if (!Put(*pair.cloud, "model/backfill", pair.cluster.root() / "bulk", bulk, 1)) return -1;
  while (BytesOut(*pair.cloud, "edge-1") < 24 * kMiB)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::vector<double> latencies;
  for (int run = 0; run < runs; ++run) {
    auto version = Put(*pair.cloud, "model/hotfix", pair.cluster.root() / "hotfix", 4 * kMiB, 100 + run);
    if (!version) return -1;
    const auto start = Clock::now();
    if (!BenchCluster::WaitVisible(*pair.edge, "model/hotfix", *version, std::chrono::minutes(2),
                                   std::chrono::milliseconds(2)))
      return -1;
    latencies.push_back(Seconds(start));
    std::cout << "  urgent run " << run + 1 << ": " << latencies.back() << " s" << std::endl;
  }
  auto backfill = BenchCluster::Call(*pair.edge, "show", {{"key", "model/backfill"}});
  if (backfill) std::cout << "  (the bulk model had already arrived: the figure is not during a transfer)\n";
  std::sort(latencies.begin(), latencies.end());
  return latencies[latencies.size() / 2];
}

int Run(double seconds, int runs) {
  json out = {{"bench", "limits"}, {"seconds", seconds}};
  for (uint64_t rate : {uint64_t{10}, uint64_t{50}}) {
    const double measured = MeasureRate(rate, seconds);
    if (measured < 0) return 1;
    const double error = std::abs(measured - static_cast<double>(rate)) / static_cast<double>(rate) * 100;
    std::cout << "send limit " << rate << " MiB/s: measured " << measured << " MiB/s over " << seconds
              << " s, error " << error << "%" << std::endl;
    out["rate_error_pct_" + std::to_string(rate)] = std::round(error * 100) / 100;
    out["measured_mib_s_" + std::to_string(rate)] = std::round(measured * 100) / 100;
  }
  const double latency = UrgentLatency(runs);
  if (latency < 0) return 1;
  std::cout << "urgent 4 MiB model during a bulk transfer at 20 MiB/s: " << latency << " s (median of "
            << runs << ")" << std::endl;
  out["rate_error_pct"] =
      std::max(out["rate_error_pct_10"].get<double>(), out["rate_error_pct_50"].get<double>());
  out["urgent_latency_s"] = std::round(latency * 1000) / 1000;
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace
}  // namespace edgesync::testing

int main(int argc, char** argv) {
  double seconds = 30;
  int runs = 3;
  bool bad = argc % 2 == 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seconds")
      seconds = std::strtod(argv[i + 1], nullptr);
    else if (flag == "--runs")
      runs = std::atoi(argv[i + 1]);
    else
      bad = true;
  }
  if (bad || seconds <= 0 || runs < 1) {
    std::cerr << "usage: bench_limits [--seconds N] [--runs N]\n";
    return 2;
  }
  return edgesync::testing::Run(seconds, runs);
}
