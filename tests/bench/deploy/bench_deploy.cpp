// bench_deploy: one cloud node and EDGESYNC_BENCH_EDGES (10) edge nodes over TLS on 127.0.0.1,
// each edge with a deployment following channel "stable" of a 64 MiB model
// (EDGESYNC_BENCH_SIZE_MIB), with a health command (`test -s w.bin`). Measured, over
// EDGESYNC_BENCH_RUNS (3) rounds:
//   fresh:  `put` of new random bytes, then `release`; seconds from the put's start, and from
//           the release, to every edge serving it healthy;
//   delta:  the same for a version that changes 1% of the bytes (64 spread 0.01% stretches);
//   switch: a version already in every edge's store and staged by its deployment (the version
//           directory written before the release), released: per edge, seconds from the
//           release command (wall clock before it is sent) to the edge's deployment healthy (the
//           daemon's own timestamp of that state, so polling adds nothing), p50 and p99 over
//           every edge and EDGESYNC_BENCH_SWITCHES (5) releases a round; and the part of it
//           spent on the edge once it knew the release (the link switch and the health
//           check, as each daemon logs them);
// Edges keep old version directories 5 s (checkout.grace_period), not 60 s: see DeployBench.
//   rollback: on one edge, a deployment whose health check fails for the new version (timeout
//           2 s): from the switch to the bad version ("checking") to the previous version
//           serving again ("rolled_back"), by the daemon's own timestamps.
// The edges are polled through their control sockets (no CLI process in the timed path).
// Prints one line per measurement, then one JSON object.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/bench_cluster.h"
#include "tests/support/bench_median.h"
#include "tests/support/poll_until.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr auto kTimeout = std::chrono::minutes(10);

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 10) : fallback;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  const size_t index = std::min(v.size() - 1, static_cast<size_t>(std::ceil(p * v.size())) - 1);
  return std::round(v[index] * 1000) / 1000;
}

class DeployBench {
 public:
  explicit DeployBench(size_t edges) {
    ca_ = cluster_.MakeCa("ca", "bench-deploy");
    cloud_ = &cluster_.AddNode("cloud", ca_, "cloud");
    cluster_.Start(*cloud_);
    // Three versions a round, rounds seconds apart: more than checkout.max_old_versions (8)
    // would be within the default 60 s grace period, and the ninth switch would wait for the
    // oldest to expire. A 5 s grace keeps that out of the figures.
    const fs::path config = cluster_.root() / "edge.toml";
    cluster_.MakeFile(config, "[checkout]\ngrace_period = \"5s\"\n");
    for (size_t i = 0; i < edges; ++i) {
      TestNode& edge = cluster_.AddNode("edge-" + std::to_string(i), ca_);
      cluster_.Start(edge, {cloud_}, {"--config", config.string()});
      edges_.push_back(&edge);
      const fs::path srv = cluster_.root() / ("srv-" + std::to_string(i));
      fs::create_directories(srv);
      json added = *BenchCluster::Call(edge, "deploy.add",
                                       {{"name", "model"},
                                        {"key", "model/bench"},
                                        {"dir", (srv / "model").string()},
                                        {"channel", "stable"},
                                        {"health", {"/usr/bin/test", "-s", (srv / "model" / "w.bin").string()}}});
      (void)added;
    }
  }

  // Writes the model's bytes (`bytes`) and puts them; the version id, and the put's seconds.
  std::pair<std::string, double> Put(const std::string& bytes) {
    const fs::path dir = cluster_.root() / "src";
    fs::create_directories(dir);
    WriteFileText(dir / "w.bin", bytes);
    const auto start = Clock::now();
    auto put = BenchCluster::Call(*cloud_, "put", {{"key", "model/bench"}, {"path", dir.string()}});
    if (!put) std::cerr << "put on the cloud node failed\n";
    return {put ? put->value("version", "") : "", Seconds(Clock::now() - start)};
  }

  bool Release(const std::string& version, const json& where = json::object()) {
    return BenchCluster::Call(*cloud_, "release",
                              {{"key", "model/bench"}, {"channel", "stable"}, {"version", version}, {"where", where}})
        .has_value();
  }

  // Seconds from now until every edge serves `version` healthy; per edge into *each (optional)
  // the daemon's timestamp of its healthy state minus `since_ms`.
  double WaitServing(const std::string& version, std::vector<double>* each = nullptr, uint64_t since_ms = 0) {
    const auto start = Clock::now();
    std::vector<bool> done(edges_.size(), false);
    size_t remaining = edges_.size();
    const bool ok = PollUntil(
        [&] {
          for (size_t i = 0; i < edges_.size(); ++i) {
            if (done[i]) continue;
            auto shown = BenchCluster::Call(*edges_[i], "deploy.show", {{"name", "model"}});
            if (!shown) continue;
            const json status = shown->value("status", json::object());
            if (status.value("active", "") == version && status.value("state", "") == "healthy") {
              done[i] = true;
              --remaining;
              if (each) each->push_back((static_cast<double>(status.value("updated_ms", uint64_t{0})) - since_ms) / 1000);
            }
          }
          return remaining == 0;
        },
        kTimeout, std::chrono::milliseconds(2));
    return ok ? Seconds(Clock::now() - start) : -1;
  }

  // True once every edge's deployment has staged `version` (its directory written beside the
  // active one: the version directory appears whole, by rename).
  bool WaitStaged(const std::string& version) {
    for (size_t i = 0; i < edges_.size(); ++i) {
      const fs::path dir = cluster_.root() / ("srv-" + std::to_string(i)) / "model.versions" / version;
      if (!PollUntil([&] { return fs::is_directory(dir); }, kTimeout, std::chrono::milliseconds(5))) {
        std::cerr << edges_[i]->name << " did not stage " << version << "\n";
        return false;
      }
    }
    return true;
  }

  // True once every edge's store has `version` (prefetched by replication).
  bool WaitStored(const std::string& version) {
    for (TestNode* edge : edges_)
      if (!BenchCluster::WaitVisible(*edge, "model/bench", version, kTimeout, std::chrono::milliseconds(5))) {
        std::cerr << edge->name << " did not store " << version << "\n";
        return false;
      }
    return true;
  }

  // The switch overheads the edges logged for `version` (ms from the target known to healthy:
  // the link switch plus the health check), one per edge that logged it.
  std::vector<double> LoggedOverheads(const std::string& version, double* max_switch, double* max_health) {
    std::vector<double> out;
    const std::string marker = "version " + version + " is in service at ";
    for (TestNode* edge : edges_) {
      const std::string log = ReadFileText(edge->log());
      const size_t at = log.rfind(marker);
      if (at == std::string::npos) continue;
      long switch_ms = 0, health_ms = 0;
      const size_t open = log.find("(switch ", at);
      if (open != std::string::npos &&
          std::sscanf(log.c_str() + open, "(switch %ld ms, health check %ld ms)", &switch_ms, &health_ms) == 2)
      {
        out.push_back((switch_ms + health_ms) / 1000.0);
        *max_switch = std::max(*max_switch, switch_ms / 1000.0);
        *max_health = std::max(*max_health, health_ms / 1000.0);
      }
    }
    return out;
  }

  TestNode& cloud() { return *cloud_; }
  TestNode& edge(size_t i) { return *edges_[i]; }
  BenchCluster& cluster() { return cluster_; }

 private:
  BenchCluster cluster_;
  fs::path ca_;
  TestNode* cloud_ = nullptr;
  std::vector<TestNode*> edges_;
};

std::string RandomBytes(std::mt19937_64& rng, uint64_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i + 8 <= size; i += 8) {
    const uint64_t v = rng();
    std::memcpy(bytes.data() + i, &v, 8);
  }
  return bytes;
}

// 1% of the bytes changed, in 64 stretches spread over the file.
void ChangeOnePercent(std::string* bytes, std::mt19937_64& rng) {
  const size_t stretch = bytes->size() / 100 / 64;
  for (size_t k = 0; k < 64; ++k) {
    const size_t at = (bytes->size() / 64) * k;
    for (size_t i = 0; i < stretch && at + i < bytes->size(); ++i) (*bytes)[at + i] = static_cast<char>(rng());
  }
}

int Fail(const std::string& what) {
  std::cerr << "bench_deploy: " << what << std::endl;
  return 1;
}

uint64_t WallMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

int Run(size_t edges, uint64_t size, int runs, uint64_t switch_rounds) {
  std::cout << std::fixed << std::setprecision(3);
  DeployBench bench(edges);
  std::mt19937_64 rng(7);
  std::string bytes = RandomBytes(rng, size);
  const std::string first = bench.Put(bytes).first;
  if (first.empty() || !bench.Release(first) || bench.WaitServing(first) < 0)
    return Fail("the first version never served on every edge");
  std::vector<double> fresh_publish, fresh_release, delta_publish, delta_release, switches, edge_overheads;
  for (int run = 0; run < runs; ++run) {
    std::cout << "run " << run << ":" << std::endl;
    for (bool delta : {false, true}) {
      if (delta) ChangeOnePercent(&bytes, rng);
      else bytes = RandomBytes(rng, size);
      std::this_thread::sleep_for(std::chrono::seconds(2));
      const auto start = Clock::now();
      auto [version, put] = bench.Put(bytes);
      const auto released = Clock::now();
      if (version.empty() || !bench.Release(version)) return Fail("put or release of a new version");
      const double serving = bench.WaitServing(version);
      if (serving < 0) return Fail("the edges never served " + version);
      const double publish = Seconds(Clock::now() - start), from_release = Seconds(Clock::now() - released);
      std::cout << "  " << (delta ? "1% changed" : "fresh") << ": put " << put << " s; release -> " << edges
                << " edges serving " << from_release << " s; put start -> serving " << publish << " s" << std::endl;
      (delta ? delta_publish : fresh_publish).push_back(publish);
      (delta ? delta_release : fresh_release).push_back(from_release);
    }
    // The switch alone: the data is on every edge before the release.
    for (uint64_t round = 0; round < switch_rounds; ++round) {
      ChangeOnePercent(&bytes, rng);
      const std::string version = bench.Put(bytes).first;
      if (version.empty()) return Fail("put of the switch round's version");
      if (!bench.WaitStored(version)) return Fail("the edges never stored " + version);
      if (!bench.WaitStaged(version)) return Fail("the edges never staged " + version);
      const uint64_t release_ms = WallMs();
      if (!bench.Release(version)) return Fail("release of " + version);
      std::vector<double> each;
      if (bench.WaitServing(version, &each, release_ms) < 0) return Fail("the edges never served " + version);
      double max_switch = 0, max_health = 0;
      const std::vector<double> overheads = bench.LoggedOverheads(version, &max_switch, &max_health);
      std::cout << "  switch with the version staged: release -> healthy max "
                << *std::max_element(each.begin(), each.end()) << " s; on the edge (switch + health check) max "
                << (overheads.empty() ? -1 : *std::max_element(overheads.begin(), overheads.end()))
                << " s (switch max " << max_switch << " s, health check max " << max_health << " s)" << std::endl;
      switches.insert(switches.end(), each.begin(), each.end());
      edge_overheads.insert(edge_overheads.end(), overheads.begin(), overheads.end());
    }
  }

  // Rollback on edge 0: a deployment whose health check wants "good" in the file.
  TestNode& edge = bench.edge(0);
  const fs::path srv = bench.cluster().root() / "srv-rollback";
  fs::create_directories(srv);
  BenchCluster::Call(edge, "deploy.add",
                     {{"name", "rb"},
                      {"key", "model/rb"},
                      {"dir", (srv / "rb").string()},
                      {"health", {"/bin/grep", "-q", "good", (srv / "rb" / "w.bin").string()}},
                      {"health_timeout_ms", 2000}});
  const fs::path dir = bench.cluster().root() / "rb-src";
  fs::create_directories(dir);
  WriteFileText(dir / "w.bin", "good");
  BenchCluster::Call(edge, "put", {{"key", "model/rb"}, {"path", dir.string()}});
  PollUntil([&] {
    auto shown = BenchCluster::Call(edge, "deploy.show", {{"name", "rb"}});
    return shown && (*shown)["status"].value("state", "") == "healthy";
  }, kTimeout);
  WriteFileText(dir / "w.bin", "bad");
  BenchCluster::Call(edge, "put", {{"key", "model/rb"}, {"path", dir.string()}});
  uint64_t checking_ms = 0, rolled_back_ms = 0;
  PollUntil([&] {
    auto shown = BenchCluster::Call(edge, "deploy.show", {{"name", "rb"}});
    if (!shown) return false;
    const json status = (*shown)["status"];
    if (status.value("state", "") == "checking" && checking_ms == 0) checking_ms = status.value("updated_ms", uint64_t{0});
    if (status.value("state", "") == "rolled_back") rolled_back_ms = status.value("updated_ms", uint64_t{0});
    return rolled_back_ms != 0;
  }, kTimeout, std::chrono::milliseconds(1));
  const double rollback = checking_ms && rolled_back_ms ? (rolled_back_ms - checking_ms) / 1000.0 : -1;
  std::cout << "rollback: bad version checking -> previous version serving " << rollback << " s (health timeout 2 s)"
            << std::endl;

  json summary = {{"edges", edges},
                  {"size_mib", size >> 20},
                  {"runs", runs},
                  {"fresh_release_to_serving_s", BenchMedian(fresh_release)},
                  {"fresh_publish_to_serving_s", BenchMedian(fresh_publish)},
                  {"delta_release_to_serving_s", BenchMedian(delta_release)},
                  {"delta_publish_to_serving_s", BenchMedian(delta_publish)},
                  {"switch_samples", switches.size()},
                  {"switch_local_p50_s", Percentile(switches, 0.5)},
                  {"switch_local_p99_s", Percentile(switches, 0.99)},
                  {"switch_on_edge_p50_s", Percentile(edge_overheads, 0.5)},
                  {"switch_on_edge_p99_s", Percentile(edge_overheads, 0.99)},
                  {"rollback_s", rollback},
                  {"rollback_health_timeout_s", 2.0}};
  std::cout << summary.dump() << std::endl;
  return rollback > 0 ? 0 : 1;
}

}  // namespace
}  // namespace edgesync::testing

int main() {
  using edgesync::testing::EnvNumber;
  return edgesync::testing::Run(EnvNumber("EDGESYNC_BENCH_EDGES", 10), EnvNumber("EDGESYNC_BENCH_SIZE_MIB", 64) << 20,
                                static_cast<int>(EnvNumber("EDGESYNC_BENCH_RUNS", 3)),
                                EnvNumber("EDGESYNC_BENCH_SWITCHES", 5));
}
