// Soak: N edgesyncd nodes on 127.0.0.1 (mutual TLS, 1 MiB block cache, 4 MiB write buffer).
// Node i > 0 dials node i-1 and node (i-1)/2, so the graph is connected with a few cycles.
// For a bounded time the test sends random operations to random running nodes: puts of small
// random models, `meta set` edits and `rm`s over a small key pool (so concurrent heads and
// resolutions happen), and restarts a random node every few seconds (SIGTERM, same port and
// data). Then every node must list the same heads for every key within the convergence bound,
// and every live model must read back on every node. Prints versions written, the time to
// converge after the last write, and each daemon's peak RSS (VmHWM, max over its restarts)
// with their max, median and mean.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::seconds;

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::stoull(value) : fallback;
}

// VmHWM of a process in KiB; 0 when unreadable.
uint64_t PeakRssKiB(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

class SoakTest : public ClusterFixture {};

TEST_F(SoakTest, RandomWritesAndRestartsConvergeToIdenticalHeads) {
  const size_t node_count = EnvNumber("EDGESYNC_SOAK_NODES", 5);
  const auto duration = seconds(EnvNumber("EDGESYNC_SOAK_SECONDS", 20));
  const auto restart_every = std::chrono::milliseconds(EnvNumber("EDGESYNC_SOAK_RESTART_MS", 4000));
  const uint64_t seed = EnvNumber("EDGESYNC_SOAK_SEED", 20261125);
  const auto converge_bound = seconds(60 + 6 * node_count);
  std::mt19937_64 rng(seed);

  fs::path ca = MakeCa("ca", "soak");
  fs::path config = root() / "small.toml";
  WriteFileText(config, "[storage]\nblock_cache = \"1MiB\"\nwrite_buffer = \"4MiB\"\n");
  std::vector<TestNode*> nodes;
  std::map<TestNode*, std::vector<const TestNode*>> dials;
  for (size_t i = 0; i < node_count; ++i) {
    nodes.push_back(&AddNode("n" + std::to_string(i), ca, i == 0 ? "cloud" : "edge"));
    if (i > 0) {
      dials[nodes[i]].push_back(nodes[i - 1]);
      if ((i - 1) / 2 != i - 1) dials[nodes[i]].push_back(nodes[(i - 1) / 2]);
    }
  }
  const std::vector<std::string> small_memory = {"--config", config.string()};
  for (TestNode* node : nodes) ASSERT_NO_FATAL_FAILURE(Start(*node, dials[node], small_memory));
  for (TestNode* node : nodes) {
    ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(*node) >= 1; }, seconds(60))) << node->name;
  }

  std::map<std::string, uint64_t> peak_kib;
  auto sample_rss = [&](TestNode& node) {
    if (node.process) peak_kib[node.name] = std::max(peak_kib[node.name], PeakRssKiB(node.process->pid()));
  };
  const std::vector<std::string> model_keys = {"model/a", "model/b", "model/c", "model/d",
                                               "model/e", "model/f", "model/g", "model/h"};
  const std::vector<std::string> meta_keys = {"meta/site", "meta/rollout", "meta/labels",
                                              "meta/owners"};
  uint64_t puts = 0, edits = 0, deletes = 0, refused = 0, restarts = 0, ops = 0;
  auto start = Clock::now();
  auto next_restart = start + restart_every;
  while (Clock::now() - start < duration) {
    TestNode& node = *nodes[rng() % nodes.size()];
    int kind = static_cast<int>(rng() % 20);
    ProcessResult result;
    if (kind < 11) {
      fs::path src = root() / "src" / std::to_string(ops);
      WriteRandomTree(src, rng, 1 + rng() % 4, 1, 48 << 10);
      result = Cli(node, {"put", model_keys[rng() % model_keys.size()], src.string()});
      if (result.exit_code == 0) ++puts;
      fs::remove_all(src);
    } else if (kind < 17) {
      std::string field = "f" + std::to_string(rng() % 6);
      result = Cli(node, {"meta", "set", meta_keys[rng() % meta_keys.size()],
                          field + "=" + std::to_string(rng() % 1000)});
      if (result.exit_code == 0) ++edits;
    } else {
      bool meta = rng() % 3 == 0;
      result = Cli(node, {"rm", meta ? meta_keys[rng() % meta_keys.size()]
                                     : model_keys[rng() % model_keys.size()]});
      if (result.exit_code == 0) ++deletes;
    }
    if (result.exit_code != 0) ++refused;  // e.g. rm of a key that is already deleted
    ++ops;
    if (Clock::now() >= next_restart) {
      TestNode& victim = *nodes[rng() % nodes.size()];
      sample_rss(victim);
      ASSERT_TRUE(Stop(victim).has_value()) << victim.name << " did not stop";
      ASSERT_NO_FATAL_FAILURE(Start(victim, dials[&victim], small_memory));
      ++restarts;
      next_restart = Clock::now() + restart_every;
    }
  }
  auto last_write = Clock::now();

  std::map<std::string, std::string> reference;
  std::string last_difference;
  bool converged = PollUntil(
      [&] {
        reference = HeadsByKey(CliJson(*nodes[0], {"ls"}));
        if (reference.empty()) return false;
        for (TestNode* node : nodes) {
          if (HeadsByKey(CliJson(*node, {"ls"})) != reference) {
            last_difference = node->name;
            return false;
          }
        }
        return true;
      },
      converge_bound);
  double converge_s = std::chrono::duration<double>(Clock::now() - last_write).count();
  EXPECT_TRUE(converged) << "not converged " << converge_bound.count() << " s after the last "
                         << "write; " << last_difference << " still differs from n0";

  // Every live model reads back on every node.
  size_t reads = 0;
  for (const auto& [key, summary] : reference) {
    if (key.rfind("model/", 0) != 0 || summary.find("/deleted") != std::string::npos) continue;
    for (TestNode* node : nodes) {
      fs::path out = root() / ("read-" + std::to_string(++reads));
      EXPECT_EQ(Cli(*node, {"get", key, out.string()}).exit_code, 0) << node->name << " " << key;
      fs::remove_all(out);
    }
  }
  for (TestNode* node : nodes) sample_rss(*node);

  std::ostringstream rss;
  uint64_t max_kib = 0, sum_kib = 0;
  std::vector<uint64_t> sorted_kib;
  for (const auto& [name, kib] : peak_kib) {
    rss << " " << name << "=" << kib / 1024 << "MiB";
    max_kib = std::max(max_kib, kib);
    sum_kib += kib;
    sorted_kib.push_back(kib);
  }
  std::sort(sorted_kib.begin(), sorted_kib.end());
  const size_t n = sorted_kib.size();
  const double median_kib =
      n == 0 ? 0 : n % 2 ? sorted_kib[n / 2] : (sorted_kib[n / 2 - 1] + sorted_kib[n / 2]) / 2.0;
  std::cout << "soak: " << node_count << " nodes, " << duration.count() << " s of writes (seed "
            << seed << "): " << puts << " puts, " << edits << " meta edits, " << deletes
            << " deletes (" << puts + edits + deletes << " versions written; " << refused
            << " refused ops), " << restarts << " restarts, " << reference.size()
            << " keys; converged " << converge_s << " s after the last write; " << reads
            << " reads checked\n"
            << "soak peak RSS (VmHWM) per daemon:" << rss.str() << "; max " << max_kib / 1024
            << " MiB, median " << median_kib / 1024 << " MiB, mean "
            << sum_kib / 1024 / std::max<size_t>(1, peak_kib.size()) << " MiB\n";
}

}  // namespace
}  // namespace edgesync::testing
