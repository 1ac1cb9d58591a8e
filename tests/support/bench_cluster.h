// BenchCluster: ClusterFixture reused outside a gtest run (the benchmarks):
// real edgesyncd nodes over TLS on 127.0.0.1, plus what the benchmark needs on top: a direct
// control-socket call (no CLI process in the timed path), waiting for a version to become
// visible, and the daemons' memory figures. Needs external synchronization.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/cluster_fixture.h"

namespace edgesync::testing {

class BenchCluster : public ClusterFixture {
 public:
  BenchCluster() { SetUp(); }
  ~BenchCluster() override { TearDown(); }
  void TestBody() override {}

  using ClusterFixture::AddNode;
  using ClusterFixture::Cli;
  using ClusterFixture::CliJson;
  using ClusterFixture::MakeCa;
  using ClusterFixture::MakeFile;
  using ClusterFixture::root;
  using ClusterFixture::Start;

  // One control-socket request; the result object, or nullopt on any error.
  static std::optional<nlohmann::json> Call(const TestNode& node, const std::string& method,
                                            const nlohmann::json& params);
  // Polls `show key` on `node` (at most `poll` apart) until its version is `version`; false on
  // timeout.
  static bool WaitVisible(const TestNode& node, const std::string& key, const std::string& version,
                          std::chrono::milliseconds timeout,
                          std::chrono::microseconds poll = std::chrono::microseconds(500));
  // VmHWM or VmRSS of the node's daemon in MiB (from /proc/<pid>/status); -1 if unknown.
  static double MemoryMib(const TestNode& node, const std::string& field);
  // User plus system CPU seconds the node's daemon has used so far; -1 if unknown.
  static double CpuSeconds(const TestNode& node);
};

}  // namespace edgesync::testing
