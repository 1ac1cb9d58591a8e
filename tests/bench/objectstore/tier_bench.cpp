#include "tests/bench/objectstore/tier_bench.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iostream>
#include <thread>

#include "tests/bench/objectstore/request_counting_front.h"
#include "tests/support/bench_cluster.h"
#include "tests/support/bench_median.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using objectstore::testing::S3rverServer;
using Clock = std::chrono::steady_clock;

constexpr auto kTimeout = std::chrono::minutes(20);

// A cloud node (on local disk, or on the tier at 127.0.0.1:`s3_port`) and an edge dialing it.
struct NodePair {
  TestNode* cloud = nullptr;
  TestNode* edge = nullptr;
};

class TierBench {
 public:
  explicit TierBench(const S3rverServer& server) : server_(server) {
    ca_ = cluster_.MakeCa("ca", "bench-tier");
    const fs::path credentials = cluster_.root() / "aws-credentials";
    cluster_.MakeFile(credentials,
                      std::string("[default]\naws_access_key_id = ") + server_.access_key() +
                          "\naws_secret_access_key = " + server_.secret() + "\n",
                      fs::perms(0600));
    credentials_ = credentials.string();
  }

  // `s3_port` 0: the cloud node keeps its chunks on local disk.
  NodePair Start(const std::string& name, uint16_t s3_port) {
    NodePair pair;
    pair.cloud = &cluster_.AddNode(name, ca_, "cloud");
    pair.edge = &cluster_.AddNode(name + "-edge", ca_);
    std::vector<std::string> args;
    if (s3_port != 0) {
      const fs::path config = cluster_.root() / (name + ".toml");
      cluster_.MakeFile(config, "[storage]\nchunk_tier = \"s3://" + server_.bucket() + "/" + name +
                                    "\"\n[s3]\nendpoint = \"http://127.0.0.1:" + std::to_string(s3_port) +
                                    "\"\nregion = \"us-east-1\"\ncredentials_file = \"" + credentials_ + "\"\n");
      args = {"--config", config.string()};
    }
    cluster_.Start(*pair.cloud, {}, args);
    cluster_.Start(*pair.edge, {pair.cloud});
    return pair;
  }

  // Puts `dir` on the pair's cloud node as `key`; the seconds until `put` returned, and until
  // the edge shows the version (the serve), or -1s.
  std::pair<double, double> PutAndServe(const NodePair& pair, const std::string& key, const fs::path& dir) {
    const auto start = Clock::now();
    ProcessResult put = cluster_.Cli(*pair.cloud, {"put", key, dir.string(), "--json"}, kTimeout);
    const auto stored = Clock::now();
    const json result = json::parse(put.out, nullptr, false);
    if (put.exit_code != 0 || !result.is_object()) {
      std::cerr << "put on " << pair.cloud->name << " failed: " << put.err << "\n";
      return {-1, -1};
    }
    const std::string version = result.value("version", "");
    if (!BenchCluster::WaitVisible(*pair.edge, key, version, kTimeout, std::chrono::milliseconds(5))) {
      std::cerr << pair.edge->name << " never showed " << key << " " << version << "\n";
      return {-1, -1};
    }
    return {std::chrono::duration<double>(stored - start).count(),
            std::chrono::duration<double>(Clock::now() - stored).count()};
  }

  json Status(const TestNode& node) { return cluster_.CliJson(node, {"status"}); }

 private:
  const S3rverServer& server_;
  BenchCluster cluster_;
  fs::path ca_;
  std::string credentials_;
};

}  // namespace

json RunTierBench(const S3rverServer& server, uint64_t size, int runs, std::mt19937_64& rng) {
  TierBench bench(server);
  const double mb = static_cast<double>(size) / 1e6;
  NodePair local = bench.Start("local", 0), tier = bench.Start("tier", server.port());
  std::vector<double> local_puts, local_serves, tier_puts, tier_serves;
  TempDir data;
  bool failed = false;
  for (int run = 0; run < runs && !failed; ++run) {
    const fs::path dir = data / ("model-" + std::to_string(run));
    WriteRandomFile(dir / "weights.bin", rng, size);
    std::cout << "tier run " << run << ":" << std::endl;
    for (int turn = 0; turn < 2; ++turn) {
      const bool on_tier = (turn + run) % 2 == 0;
      std::this_thread::sleep_for(std::chrono::seconds(3));  // see SettleMemory in bench_objectstore
      const NodePair& pair = on_tier ? tier : local;
      const double server_cpu = CpuSeconds(server.pid()), cloud_cpu = BenchCluster::CpuSeconds(*pair.cloud);
      auto [put, serve] = bench.PutAndServe(pair, "model/run-" + std::to_string(run), dir);
      if (put < 0) {
        failed = true;
        break;
      }
      std::cout << "  " << (on_tier ? "tier" : "local disk") << ": put " << mb / put << " MB/s (" << put
                << " s), serve to the edge " << mb / serve << " MB/s (" << serve << " s); CPU s3rver "
                << CpuSeconds(server.pid()) - server_cpu << " s, cloud edgesyncd "
                << BenchCluster::CpuSeconds(*pair.cloud) - cloud_cpu << " s" << std::endl;
      (on_tier ? tier_puts : local_puts).push_back(mb / put);
      (on_tier ? tier_serves : local_serves).push_back(mb / serve);
    }
    fs::remove_all(dir);
  }
  if (failed) return nullptr;

  // Requests per GiB stored and served, untimed, through the counting front.
  RequestCountingFront front(server.port());
  NodePair counted = bench.Start("counted", front.port());
  const fs::path dir = data / "counted";
  WriteRandomFile(dir / "weights.bin", rng, size);
  front.TakeCounts();
  const double put = bench.PutAndServe(counted, "model/counted", dir).first;
  const auto requests = front.TakeCounts();
  if (put < 0 || !front.complete()) return nullptr;
  const double per_gib = static_cast<double>(1ull << 30) / static_cast<double>(size);
  const json tier_status = bench.Status(*counted.cloud)["store"]["chunk_tier"];

  json summary = {{"tier_put_mbps", BenchMedian(tier_puts)},
                  {"local_put_mbps", BenchMedian(local_puts)},
                  {"tier_put_vs_local", std::round(BenchMedian(tier_puts) / BenchMedian(local_puts) * 100) / 100},
                  {"tier_serve_mbps", BenchMedian(tier_serves)},
                  {"local_serve_mbps", BenchMedian(local_serves)},
                  {"tier_serve_vs_local", std::round(BenchMedian(tier_serves) / BenchMedian(local_serves) * 100) / 100},
                  {"tier_packs_per_gib", std::round(tier_status.value("packs", 0.0) * per_gib * 100) / 100}};
  for (const auto& [method, n] : requests) {
    std::string field = "tier_" + method + "_per_gib";
    std::transform(field.begin(), field.end(), field.begin(), [](unsigned char c) { return std::tolower(c); });
    summary[field] = std::round(static_cast<double>(n) * per_gib * 100) / 100;
  }
  std::cout << "tier (" << (size >> 20) << " MiB, median of " << tier_puts.size() << "): put "
            << summary["tier_put_mbps"] << " MB/s vs local disk " << summary["local_put_mbps"] << " (ratio "
            << summary["tier_put_vs_local"] << "); serve " << summary["tier_serve_mbps"] << " MB/s vs "
            << summary["local_serve_mbps"] << " (ratio " << summary["tier_serve_vs_local"] << ")\n"
            << "tier requests per GiB stored and served:";
  for (const auto& [method, n] : requests) std::cout << " " << method << " " << static_cast<double>(n) * per_gib;
  std::cout << std::endl;
  return summary;
}

}  // namespace edgesync::testing
