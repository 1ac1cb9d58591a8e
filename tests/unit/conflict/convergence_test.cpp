// Property test: random concurrent writes on three nodes, delivered in random orders with
// random partitions, restarts, store wipes and restores from older copies, always converge to
// the same heads and bytes on every node, under every policy, without an identity clash (two
// versions under one vector); under keep-both no write is lost that some store still held.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "conflict/conflict_monitor.h"
#include "catalog/metadata_document.h"
#include "tests/support/temp_dir.h"

namespace edgesync::conflict {
namespace {

ObjectKey Key(const std::string& s) { return ObjectKey::Parse(s).value(); }

// A node of the simulation: a store with a monitor that resolves synchronously.
struct SimNode {
  std::filesystem::path dir;
  std::string id;
  std::unique_ptr<Store> store;
  std::unique_ptr<ConflictMonitor> monitor;

  void Close() {
    monitor.reset();
    store.reset();
  }

  void Open() {
    Close();
    StoreOptions o;
    o.path = dir;
    o.node_id = id;
    o.incarnation_file = dir.string() + ".incarnation";  // beside the store, as the daemon's
    o.retention.defaults.keep_versions = 50;
    auto s = Store::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store = std::move(s).value();
    // Resolution runs inline: the simulation decides when work happens.
    monitor = std::make_unique<ConflictMonitor>(*store, [](std::function<void()> fn) { fn(); },
                                                [](int, const std::string&) {});
  }
};

// Copies every head of `key` from `src` to `dst` the way replication does.
void Deliver(SimNode& src, SimNode& dst, const std::string& key) {
  auto heads = src.store->Heads(Key(key));
  if (!heads.ok()) return;
  for (const auto& h : *heads) {
    Manifest m;
    if (!h.record.tombstone) {
      m = src.store->ReadManifest(h.record.manifest_id).value();
      for (const auto& f : m.files)
        for (const auto& c : f.chunks)
          if (!*dst.store->chunks().Contains(c.id)) {
            std::string bytes;
            ASSERT_TRUE(src.store->chunks().Get(c.id, &bytes).ok());
            ASSERT_TRUE(dst.store->chunks().Put(c.id, bytes).ok());
          }
    }
    auto applied = dst.store->ApplyRemote(Key(key), h.record, m);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  }
}

std::string HeadsText(SimNode& n, const std::string& key) {
  auto heads = n.store->Heads(Key(key));
  if (!heads.ok()) return "-";
  std::set<std::string> ids;
  for (const auto& h : *heads) ids.insert(h.id + "/" + h.record.manifest_id.Hex() + (h.record.tombstone ? "/x" : ""));
  std::string out;
  for (const auto& id : ids) out += id + " ";
  return out;
}

struct CaseResult {
  int writes = 0;
  int resolved_keys = 0;
  int wipes = 0;
  int restores = 0;
};

// Whether some node holds `v` of `key` (a head equal to it or newer).
bool Held(std::vector<SimNode>& nodes, const std::string& key, const VersionVector& v) {
  for (auto& n : nodes) {
    auto heads = n.store->Heads(Key(key));
    if (!heads.ok()) continue;
    for (const auto& h : *heads) {
      VectorOrder order = h.record.vector.Compare(v);
      if (order == VectorOrder::kEqual || order == VectorOrder::kDominates) return true;
    }
  }
  return false;
}

void RunCase(uint64_t seed, const std::string& model_policy, edgesync::testing::TempDir& tmp, CaseResult* result) {
  std::mt19937_64 rng(seed);
  const std::vector<std::string> keys = {"model/a", "model/b", "meta/doc", "dataset/d"};
  std::vector<SimNode> nodes(3);
  for (int i = 0; i < 3; ++i) {
    nodes[i].dir = tmp / ("case" + std::to_string(seed) + "-n" + std::to_string(i));
    nodes[i].id = "n" + std::to_string(i);
    nodes[i].Open();
  }
  // The policy document is written once and spread before the concurrent phase.
  {
    MetadataDocument doc;
    FieldStamp stamp{nodes[0].store->clock().Now(), "n0"};
    doc.Set("model", model_policy, stamp);
    doc.Set("dataset", model_policy == "best-metric:mAP" ? "lww" : model_policy, stamp);
    ASSERT_TRUE(nodes[0].store->PutFiles(Key("meta/policy"), {}, doc.ToCanonicalJson()).ok());
    for (int i = 1; i < 3; ++i) Deliver(nodes[0], nodes[i], "meta/policy");
  }
  std::map<std::string, std::vector<VersionVector>> written;  // every version ever written
  bool partitioned[3][3] = {};
  std::vector<std::filesystem::path> snapshots(3);  // an older copy of each node's store
  auto src = tmp / ("src" + std::to_string(seed));
  std::filesystem::create_directories(src);
  const int steps = 40;
  for (int step = 0; step < steps; ++step) {
    int op = rng() % 11;
    int n = rng() % 3;
    const std::string& key = keys[rng() % keys.size()];
    SimNode& node = nodes[n];
    if (op < 4) {  // write
      Result<VersionInfo> v = Status::Aborted("none");
      if (key == "meta/doc") {
        MetadataDocument doc;
        auto latest = node.store->Latest(Key(key));
        if (latest.ok()) doc = MetadataDocument::Parse(*node.store->ReadSpec(latest->record.manifest_id)).value();
        FieldStamp stamp{node.store->clock().Now(), node.id};
        std::string field = "f" + std::to_string(rng() % 4);
        if (rng() % 4 == 0) doc.Delete(field, stamp);
        else doc.Set(field, static_cast<int>(rng() % 100), stamp);
        v = node.store->PutFiles(Key(key), {}, doc.ToCanonicalJson());
      } else {
        { std::ofstream(src / "w.bin") << "content " << rng(); }
        char spec[128];
        std::snprintf(spec, sizeof spec, R"({"metrics":{"mAP":{"value":%.2f,"direction":"higher"}}})",
                      (rng() % 100) / 100.0);
        v = node.store->Put(Key(key), src / "w.bin", spec);
      }
      ASSERT_TRUE(v.ok()) << v.status().ToString();
      written[key].push_back(v->record.vector);
      ++result->writes;
    } else if (op < 5) {  // delete
      auto d = node.store->Delete(Key(key));
      if (d.ok()) written[key].push_back(d->record.vector);
    } else if (op < 8) {  // deliver one key between two nodes, unless cut off
      int m = (n + 1 + rng() % 2) % 3;
      if (!partitioned[n][m]) {
        Deliver(node, nodes[m], key);
        auto r = nodes[m].monitor->ResolveKey(key);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
      }
    } else if (op < 9) {  // cut or heal a link
      int m = (n + 1 + rng() % 2) % 3;
      partitioned[n][m] = partitioned[m][n] = !partitioned[n][m];
    } else if (op < 10) {  // restart, keeping a copy of the store as it was (a backup)
      node.Close();
      if (snapshots[n].empty())
        snapshots[n] = tmp / ("snap" + std::to_string(seed) + "-n" + std::to_string(n));
      std::filesystem::remove_all(snapshots[n]);
      std::filesystem::copy(node.dir, snapshots[n], std::filesystem::copy_options::recursive);
      node.Open();
    } else if (n == 0) {  // node 0 keeps the policy document alive: it is only restarted
      node.Open();
    } else {  // wipe the store, or restore the older copy: what only it held is gone
      node.Close();
      std::filesystem::remove_all(node.dir);
      if (!snapshots[n].empty() && rng() % 2 == 0) {
        std::filesystem::copy(snapshots[n], node.dir, std::filesystem::copy_options::recursive);
        ++result->restores;
      } else {
        ++result->wipes;
      }
      node.Open();
      for (auto& [k, versions] : written)
        std::erase_if(versions, [&](const VersionVector& v) { return !Held(nodes, k, v); });
    }
    if (::testing::Test::HasFatalFailure()) return;
  }
  // Heal everything and exchange until nothing changes; the policy first (a wiped store lost it).
  std::vector<std::string> exchanged = {"meta/policy"};
  exchanged.insert(exchanged.end(), keys.begin(), keys.end());
  for (int round = 0; round < 8; ++round) {
    for (const auto& key : exchanged)
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b)
          if (a != b) {
            Deliver(nodes[a], nodes[b], key);
            auto r = nodes[b].monitor->ResolveKey(key);
            ASSERT_TRUE(r.ok()) << r.status().ToString();
          }
  }
  for (const auto& key : keys) {
    const std::string expect = HeadsText(nodes[0], key);
    for (int i = 1; i < 3; ++i)
      ASSERT_EQ(HeadsText(nodes[i], key), expect) << "seed " << seed << " policy " << model_policy << " key " << key;
    auto heads = nodes[0].store->Heads(Key(key));
    if (!heads.ok()) continue;
    if (heads->size() == 1 && heads->front().record.author == kResolvedAuthor) ++result->resolved_keys;
    const bool keep_both = key != "meta/doc" && model_policy == "keep-both";
    if (keep_both) {
      // No write lost: every maximal written version is a head.
      for (const auto& v : written[key]) {
        bool dominated = false;
        for (const auto& w : written[key]) dominated |= w.Compare(v) == VectorOrder::kDominates;
        if (dominated) continue;
        bool is_head = false;
        for (const auto& h : *heads) is_head |= h.record.vector == v;
        EXPECT_TRUE(is_head) << "seed " << seed << " lost write " << v.ToString() << " of " << key;
      }
    } else {
      EXPECT_EQ(heads->size(), 1u) << "seed " << seed << " policy " << model_policy << " key " << key;
    }
  }
}

TEST(ConvergenceTest, RandomConcurrentWritesConvergeUnderEveryPolicy) {
  // Stores on tmpfs when available: the property is about logic, not fsync latency.
  const char* cases_env = std::getenv("EDGESYNC_CONVERGENCE_CASES");
  const int cases = cases_env ? std::atoi(cases_env) : 200;
  std::unique_ptr<edgesync::testing::TempDir> tmp;
  CaseResult total;
  const std::vector<std::string> policies = {"lww", "best-metric:mAP", "keep-both"};
  for (int c = 0; c < cases; ++c) {
    if (c % 20 == 0) tmp = std::make_unique<edgesync::testing::TempDir>("/dev/shm");
    RunCase(1000 + c, policies[c % policies.size()], *tmp, &total);
    if (HasFatalFailure()) return;
  }
  std::printf("convergence: %d cases, %d writes, %d keys ended resolved, %d wipes, %d restores\n", cases,
              total.writes, total.resolved_keys, total.wipes, total.restores);
  EXPECT_GT(total.resolved_keys, cases / 4) << "too few conflicts arose to test resolution";
  EXPECT_GT(total.wipes, cases / 4) << "too few wipes to test incarnations";
  EXPECT_GT(total.restores, cases / 8) << "too few restores to test incarnations";
}

}  // namespace
}  // namespace edgesync::conflict
