// Crash campaign: three real edgesyncd nodes over TLS (node-a takes every write; node-b dials
// a; node-c dials a and b). Each trial writes a mix (a 64 MiB model every other trial, a tree
// of small files, single files, a metadata document, deletes of older keys) on node-a while a
// timer SIGKILLs the sender or one receiver at a random point; the victim restarts, the nodes
// converge, and every node is checked against what was written (ExpectedKeys).
// Meanwhile `edgesync gc` runs in a loop on the victim, so kills also land during collections.
// EDGESYNC_CRASH_TRIALS (default 10) and EDGESYNC_CRASH_SEED choose the campaign. It runs twice:
// on plaintext stores, and with every store encrypted at rest under a key of its own.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <thread>

#include "tests/fault/replication/expected_keys.h"
#include "tests/support/poll_until.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::strtoull(value, nullptr, 10) : fallback;
}

// One write of a trial: the CLI arguments and the state it gives its key.
struct Op {
  std::string key;
  std::vector<std::string> args;
  ExpectedKeys::State state;
};

class ReplicationCrashTest : public ClusterFixture {
 protected:
  // key -> version of every live key `ls` shows; nullopt when ls fails.
  std::optional<std::map<std::string, std::string>> Listing(const TestNode& node) {
    json ls = CliJson(node, {"ls"});
    if (!ls.is_object()) return std::nullopt;
    std::map<std::string, std::string> versions;
    for (const json& o : ls.value("objects", json::array())) {
      if (!o.value("tombstone", false)) versions[o.value("key", "")] = o.value("version", "");
    }
    return versions;
  }

  bool Converged(const std::vector<TestNode*>& nodes) {
    auto first = Listing(*nodes[0]);
    if (!first) return false;
    for (size_t i = 1; i < nodes.size(); ++i) {
      if (Listing(*nodes[i]) != first) return false;
    }
    return true;
  }

  // The writes of trial `t`, their sources made under root()/src-<t>, in random order.
  std::vector<Op> MakeOps(int t, std::mt19937_64& rng, const ExpectedKeys& expected) {
    std::vector<Op> ops;
    fs::path src = root() / ("src-" + std::to_string(t));
    auto put = [&](const std::string& key, const fs::path& dir, std::vector<std::string> extra) {
      std::vector<std::string> args = {"put", key, dir.string()};
      args.insert(args.end(), extra.begin(), extra.end());
      ops.push_back({key, args, dir});
    };
    if (t % 2 == 0) {
      WriteRandomFile(src / "big" / "model.bin", rng, 64ull << 20);
      put("model/big", src / "big", {});
    }
    WriteRandomTree(src / "tree", rng, 150, 1024, 8192);
    put("model/tree-" + std::to_string(t), src / "tree", {});
    for (int i = 0; i < 2; ++i) {
      fs::path dir = src / ("single-" + std::to_string(i));
      WriteRandomFile(dir / "w.bin", rng, 1 + rng() % (100 << 10));
      put("model/s-" + std::to_string(t) + "-" + std::to_string(i), dir, {});
    }
    fs::path meta = src / "meta";
    MakeFile(meta / "doc.json", json{{"trial", t}, {"value", rng() % 1000}}.dump());
    MakeFile(src / "spec.json", json{{"owner", "trial-" + std::to_string(t)}}.dump());
    put("meta/cfg-" + std::to_string(t % 3), meta, {"--spec", (src / "spec.json").string()});
    std::vector<std::string> live = expected.LiveKeys();
    std::shuffle(live.begin(), live.end(), rng);
    for (size_t i = 0; i < std::min<size_t>(3, live.size()); ++i) {
      if (live[i].rfind("meta/", 0) == 0 || live[i] == "model/big") continue;
      ops.push_back({live[i], {"rm", live[i]}, std::nullopt});
    }
    std::shuffle(ops.begin(), ops.end(), rng);
    return ops;
  }

  // The campaign; `encrypted`: every node runs with storage.encryption on.
  void Campaign(bool encrypted);
};

void ReplicationCrashTest::Campaign(bool encrypted) {
  const int trials = static_cast<int>(EnvNumber("EDGESYNC_CRASH_TRIALS", 10));
  const uint64_t seed = EnvNumber("EDGESYNC_CRASH_SEED", 20240611);
  std::mt19937_64 rng(seed);
  fs::path ca = MakeCa("ca", "crash");
  TestNode& a = AddNode("node-a", ca, "cloud");
  TestNode& b = AddNode("node-b", ca);
  TestNode& c = AddNode("node-c", ca);
  std::vector<TestNode*> nodes = {&a, &b, &c};
  std::map<TestNode*, std::vector<const TestNode*>> dials = {{&a, {}}, {&b, {&a}}, {&c, {&a, &b}}};
  std::map<TestNode*, std::vector<std::string>> args;
  for (size_t i = 0; encrypted && i < nodes.size(); ++i) {
    const fs::path key = root() / (nodes[i]->name + ".key");
    MakeFile(key, std::string(64, static_cast<char>('a' + i)), fs::perms::owner_read);
    args[nodes[i]] = {"--encryption", "on", "--encryption-key-file", key.string()};
  }
  for (TestNode* node : nodes) Start(*node, dials[node], args[node]);
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(a) == 2 && ConnectedPeers(c) == 2; }));

  auto cli = [this](const TestNode& node, const std::vector<std::string>& args) {
    return Cli(node, args);
  };
  ExpectedKeys expected;
  int failures = 0;
  for (int t = 0; t < trials; ++t) {
    std::vector<Op> ops = MakeOps(t, rng, expected);
    TestNode* victim = nodes[rng() % nodes.size()];
    // Half the kills land while node-a is still taking writes, half during the transfers.
    milliseconds delay(rng() % 2 ? rng() % 800 : 800 + rng() % 2200);
    pid_t pid = victim->process->pid();
    std::atomic<bool> killed{false};
    std::thread killer([pid, delay, &killed] {
      std::this_thread::sleep_for(delay);
      ::kill(pid, SIGKILL);
      killed = true;
    });
    // `edgesync gc` on the victim in a loop, so kills also land during collections.
    int gc_runs = 0, gc_cut = 0;
    std::thread collector([&, victim] {
      while (!killed) {
        if (Cli(*victim, {"gc"}).exit_code == 0) ++gc_runs;
        else if (killed) ++gc_cut;
        std::this_thread::sleep_for(milliseconds(50));
      }
    });
    size_t done = 0;
    for (; done < ops.size(); ++done) {
      bool ok = Cli(a, ops[done].args).exit_code == 0;
      expected.Record(ops[done].key, ops[done].state, ok);
      if (!ok && victim != &a) ADD_FAILURE() << "write failed with node-a alive: " << ops[done].key;
      if (!ok) break;
    }
    killer.join();
    collector.join();
    victim->process->Wait(std::chrono::seconds(10));
    victim->process.reset();
    Start(*victim, dials[victim], args[victim]);
    if (HasFatalFailure()) {
      std::cout << "trial " << t << ": " << victim->name << " did not restart\n";
      ++failures;
      break;
    }
    std::vector<std::string> problems;
    if (!PollUntil([&] { return Converged(nodes); }, std::chrono::seconds(90))) {
      problems.push_back("nodes did not converge within 90 s");
    }
    expected.Check(cli, nodes, root(), &problems);
    std::cout << "trial " << t << ": killed " << victim->name << " after " << delay.count()
              << " ms (" << done << "/" << ops.size() << " writes done, " << gc_runs
              << " gc runs before, " << gc_cut << " cut), " << expected.size()
              << " keys, " << problems.size() << " problems" << std::endl;
    for (const std::string& p : problems) std::cout << "  " << p << "\n";
    if (!problems.empty()) ++failures;
    for (int old = 0; old < t; old += 2) {  // 64 MiB sources no key can be in any more
      fs::path big = root() / ("src-" + std::to_string(old)) / "big";
      if (fs::exists(big) && !expected.Refers(big)) fs::remove_all(big);
    }
  }
  std::cout << "crash trials: " << trials << ", failures: " << failures << " (seed " << seed
            << ")" << std::endl;
  EXPECT_EQ(failures, 0);
}

TEST_F(ReplicationCrashTest, KillSenderOrReceiverDuringTransfers) { Campaign(false); }

TEST_F(ReplicationCrashTest, KillSenderOrReceiverDuringTransfersWithEncryptionAtRest) { Campaign(true); }

}  // namespace
}  // namespace edgesync::testing
