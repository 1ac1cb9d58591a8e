// bench_quota: one cloud node and one edge over TLS on 127.0.0.1; the edge has a disk quota of
// EDGESYNC_BENCH_QUOTA_MIB (64) MiB. The cloud puts a flood of EDGESYNC_BENCH_FLOOD_MIB (256)
// MiB of models, EDGESYNC_BENCH_VERSION_MIB (8) MiB each, without waiting between puts, while
// a sampler reads the edge's disk quota figures through its control socket every 10 ms. Then
// it waits for every dataset to be listed on the edge. Measured:
//   quota_overshoot_pct: the highest stored chunk bytes sampled over the quota, in percent of
//                        the quota (0 when it never went over); goal under 5;
//   admitted_peak_pct:   the daemon's own peak (stored + reserved at admission) over the quota;
//   evictions, refusals and the flood's seconds.
// Prints one line per measurement, then one JSON object.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/bench_cluster.h"
#include "tests/support/poll_until.h"
#include "tests/support/temp_dir.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 10) : fallback;
}

double Pct(uint64_t peak, uint64_t quota) {
  return peak > quota ? 100.0 * static_cast<double>(peak - quota) / static_cast<double>(quota) : 0.0;
}

int Run() {
  const uint64_t mib = 1 << 20;
  const uint64_t quota = EnvNumber("EDGESYNC_BENCH_QUOTA_MIB", 64) * mib;
  const uint64_t version_bytes = EnvNumber("EDGESYNC_BENCH_VERSION_MIB", 8) * mib;
  const uint64_t versions = EnvNumber("EDGESYNC_BENCH_FLOOD_MIB", 256) * mib / version_bytes;

  BenchCluster cluster;
  const fs::path ca = cluster.MakeCa("ca", "bench-quota");
  TestNode& cloud = cluster.AddNode("cloud", ca, "cloud");
  TestNode& edge = cluster.AddNode("edge", ca, "edge");
  cluster.Start(cloud);
  cluster.Start(edge, {&cloud}, {"--max-bytes", std::to_string(quota)});
  if (!PollUntil([&] {
        auto peers = BenchCluster::Call(edge, "peers", json::object());
        return peers && peers->dump().find("\"connected\":true") != std::string::npos;
      })) {
    std::cerr << "edge never connected\n";
    return 1;
  }

  std::atomic<bool> done{false};
  std::atomic<uint64_t> peak_sampled{0};
  std::thread sampler([&] {
    while (!done) {
      if (auto status = BenchCluster::Call(edge, "status", json::object())) {
        const json q = status->value("disk_quota", json());
        if (q.is_object()) peak_sampled = std::max<uint64_t>(peak_sampled, q.value("used_bytes", uint64_t{0}));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // the sampling period
    }
  });

  const auto start = Clock::now();
  for (uint64_t i = 0; i < versions; ++i) {
    const fs::path src = cluster.root() / ("flood-" + std::to_string(i));
    cluster.MakeFile(src / "data.bin", RandomBytes(version_bytes, 1000 + i));
    ProcessResult put = cluster.Cli(cloud, {"put", "model/flood-" + std::to_string(i), src.string()});
    fs::remove_all(src);
    if (put.exit_code != 0) {
      std::cerr << "put failed: " << put.err << "\n";
      done = true;
      sampler.join();
      return 1;
    }
  }
  const std::string last = "model/flood-" + std::to_string(versions - 1);
  const bool arrived = PollUntil([&] { return cluster.Cli(edge, {"show", last}).exit_code == 0; },
                                 std::chrono::minutes(10));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  done = true;
  sampler.join();
  if (!arrived) {
    std::cerr << "the flood did not arrive on the edge\n";
    return 1;
  }
  json q = BenchCluster::Call(edge, "status", json::object()).value_or(json()).value("disk_quota", json());
  const uint64_t admitted_peak = q.value("peak_bytes", uint64_t{0});
  json result = {{"bench", "quota"},
                 {"quota_mib", quota / mib},
                 {"flood_mib", versions * version_bytes / mib},
                 {"version_mib", version_bytes / mib},
                 {"flood_seconds", std::round(seconds * 100) / 100},
                 {"peak_used_mib", static_cast<double>(peak_sampled) / mib},
                 {"quota_overshoot_pct", std::round(Pct(peak_sampled, quota) * 100) / 100},
                 {"admitted_peak_pct", std::round(Pct(admitted_peak, quota) * 100) / 100},
                 {"evictions", q.value("evictions", uint64_t{0})},
                 {"refusals", q.value("refusals", uint64_t{0})}};
  std::cout << "flood of " << versions << " x " << version_bytes / mib << " MiB into a " << quota / mib
            << " MiB quota: " << seconds << " s\n"
            << "peak stored " << static_cast<double>(peak_sampled) / mib << " MiB, quota_overshoot_pct "
            << result["quota_overshoot_pct"] << "\n"
            << result.dump() << "\n";
  return 0;
}

}  // namespace
}  // namespace edgesync::testing

int main() { return edgesync::testing::Run(); }
