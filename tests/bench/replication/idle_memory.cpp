#include "tests/bench/replication/idle_memory.h"

#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "tests/support/bench_cluster.h"
#include "tests/support/poll_until.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Object i's key: a mix of the three kinds a node holds.
std::string KeyOf(size_t i) {
  static const char* kKinds[] = {"model/idle-", "dataset/idle-", "meta/idle-"};
  return kKinds[i % 3] + std::to_string(i);
}

// Number of keys under `prefix` the node lists, following `ls` pages; -1 on error.
long CountKeys(const TestNode& node, const std::string& prefix) {
  nlohmann::json params = {{"prefix", prefix}};
  long count = 0;
  for (;;) {
    auto listed = BenchCluster::Call(node, "ls", params);
    if (!listed) return -1;
    const auto& items = listed->value("objects", nlohmann::json());
    if (!items.is_array()) return -1;
    count += static_cast<long>(items.size());
    auto next = listed->find("next");
    if (next == listed->end()) return count;
    params["after"] = *next;
  }
}

// Object i's content under `dir`: weights, a CSV dataset or a JSON document of 1-5 KiB.
void WriteObject(const fs::path& dir, size_t i, std::mt19937_64& rng) {
  fs::create_directories(dir);
  const size_t size = 1024 + rng() % 4096;
  if (i % 3 == 0) {
    WriteRandomFile(dir / "part.bin", rng, size);
    return;
  }
  std::string text = i % 3 == 1 ? "feature,label\n" : "{\"object\": " + std::to_string(i) + ", \"values\": [";
  while (text.size() < size) {
    const std::string value = std::to_string(rng() % 100000);
    text += i % 3 == 1 ? value + "," + std::to_string(rng() % 10) + "\n" : value + ", ";
  }
  if (i % 3 == 2) text += "0]}";
  std::ofstream(dir / (i % 3 == 1 ? "data.csv" : "doc.json")) << text;
}

}  // namespace

IdleMemory MeasureIdleMemory(const fs::path& work, size_t objects, int settle_s) {
  IdleMemory result;
  BenchCluster cluster;
  fs::path ca = cluster.MakeCa("ca", "idle");
  TestNode& a = cluster.AddNode("idle-a", ca, "cloud");
  TestNode& b = cluster.AddNode("idle-b", ca);
  cluster.Start(a, {}, {"--log-level", "warning"});
  cluster.Start(b, {&a}, {"--log-level", "warning"});
  if (::testing::Test::HasFailure()) {
    std::cerr << "idle: a node did not start\n";
    return result;
  }
  std::mt19937_64 rng(7);
  fs::path dir = work / "idle-object";
  for (size_t i = 0; i < objects; ++i) {
    fs::remove_all(dir);
    WriteObject(dir, i, rng);
    if (!BenchCluster::Call(a, "put", {{"key", KeyOf(i)}, {"path", dir.string()}})) {
      std::cerr << "idle: put " << KeyOf(i) << " failed\n";
      return result;
    }
  }
  fs::remove_all(dir);
  auto start = Clock::now();
  const bool replicated = PollUntil(
      [&] {
        long held = 0;
        for (const char* prefix : {"model/", "dataset/", "meta/"}) {
          long n = CountKeys(b, prefix);
          held = n < 0 || held < 0 ? -1 : held + n;
        }
        return held >= static_cast<long>(objects);
      },
      std::chrono::minutes(5), std::chrono::seconds(1));
  if (replicated) result.replicate_s = std::chrono::duration<double>(Clock::now() - start).count();
  if (result.replicate_s < 0) {
    std::cerr << "idle: the receiver did not get all " << objects << " objects within 5 minutes\n";
    return result;
  }
  std::this_thread::sleep_for(std::chrono::seconds(settle_s));
  result.sender_mib = BenchCluster::MemoryMib(a, "VmRSS");
  result.receiver_mib = BenchCluster::MemoryMib(b, "VmRSS");
  std::cout << "  idle receiver: RssAnon " << BenchCluster::MemoryMib(b, "RssAnon") << " MiB, RssFile "
            << BenchCluster::MemoryMib(b, "RssFile") << " MiB" << std::endl;
  return result;
}

}  // namespace edgesync::testing
