#include "status/status_feed.h"

#include <fstream>

#include <gtest/gtest.h>

#include "base/build_info.h"
#include "tests/support/poll_until.h"
#include "tests/support/temp_dir.h"

namespace edgesync {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class Recorder : public StatusSubscriber {
 public:
  void Deliver(std::shared_ptr<const std::string> message) override {
    std::lock_guard lock(mu_);
    messages_.push_back(json::parse(*message));
  }
  // Waits up to 5 s for a message matching `pred`.
  std::optional<json> WaitFor(const std::function<bool(const json&)>& pred) {
    std::optional<json> found;
    testing::PollUntil(
        [&] {
          std::lock_guard lock(mu_);
          for (const auto& m : messages_) {
            if (pred(m)) {
              found = m;
              return true;
            }
          }
          return false;
        },
        5s);
    return found;
  }

 private:
  std::mutex mu_;
  std::vector<json> messages_;
};

class StatusFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.path = dir_ / "store";
    options.node_id = "node-a";
    auto store = Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    StatusFeedOptions feed_options;
    feed_options.node_name = "alpha";
    feed_options.labels = [] { return std::map<std::string, std::string>{{"role", "edge"}}; };
    feed_options.tick = 20ms;
    feed_options.node_interval = 50ms;
    feed_options.peer_interval = 20ms;
    feed_options.limits.store_dir = dir_.path();
    feed_options.refusals = [this] {
      std::lock_guard lock(refusals_mu_);
      ++refusal_reads_;
      return refusals_;
    };
    feed_ = StatusFeed::Create(*store_, nullptr, hub_, feed_options);
    feed_->Start(nullptr);
    recorder_ = std::make_shared<Recorder>();
    hub_.Join(recorder_, [this] { return feed_->Snapshot(); });
  }
  void TearDown() override { feed_->Stop(); }

  void PutModel(const std::string& key, const std::string& spec) {
    std::ofstream(dir_ / "weights.bin") << "weights of " << key;
    auto put = store_->Put(*ObjectKey::Parse(key), dir_ / "weights.bin", spec);
    ASSERT_TRUE(put.ok()) << put.status().ToString();
  }

  // Waits until the feed has read the refusal list `reads` more times. The feed's one thread
  // finishes with a list before it reads the next, so all but the last read are fully counted.
  bool WaitForRefusalReads(size_t reads) {
    size_t target = 0;
    {
      std::lock_guard lock(refusals_mu_);
      target = refusal_reads_ + reads;
    }
    return testing::PollUntil(
        [&] {
          std::lock_guard lock(refusals_mu_);
          return refusal_reads_ >= target;
        },
        5s);
  }

  std::mutex refusals_mu_;
  std::vector<RefusedLink> refusals_;  // guarded by refusals_mu_
  size_t refusal_reads_ = 0;           // guarded by refusals_mu_: the feed's reads of refusals_
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  StatusHub hub_;
  std::shared_ptr<StatusFeed> feed_;
  std::shared_ptr<Recorder> recorder_;
};

TEST_F(StatusFeedTest, FirstMessageIsASnapshotWithTheNode) {
  auto snapshot = recorder_->WaitFor([](const json& m) { return m["type"] == "snapshot"; });
  ASSERT_TRUE(snapshot);
  EXPECT_EQ((*snapshot)["v"], 1);
  EXPECT_EQ((*snapshot)["node"]["id"], "node-a");
  EXPECT_EQ((*snapshot)["node"]["name"], "alpha");
  EXPECT_EQ((*snapshot)["node"]["labels"]["role"], "edge");
  EXPECT_EQ((*snapshot)["node"]["version"], BuildVersion());
  EXPECT_EQ((*snapshot)["node"]["commit"], BuildCommit());
  for (const char* list : {"peers", "transfers", "versions", "conflicts", "fleet", "models", "datasets"})
    EXPECT_TRUE((*snapshot)[list].is_array()) << list;
}

TEST_F(StatusFeedTest, APutIsAVersionEventACatalogEventAndACounter) {
  PutModel("model/helmet", R"({"task":"object_detection","labels":["helmet","head"],"metrics":{"map":{"value":0.8}}})");
  auto version = recorder_->WaitFor([](const json& m) { return m["type"] == "version"; });
  ASSERT_TRUE(version);
  EXPECT_EQ((*version)["key"], "model/helmet");
  EXPECT_EQ((*version)["kind"], "model");
  EXPECT_EQ((*version)["origin"], "local");
  EXPECT_EQ((*version)["author"], "node-a");
  auto catalog = recorder_->WaitFor([](const json& m) { return m["type"] == "catalog"; });
  ASSERT_TRUE(catalog);
  ASSERT_EQ((*catalog)["models"].size(), 1u);
  EXPECT_EQ((*catalog)["models"][0]["task"], "object_detection");
  EXPECT_EQ((*catalog)["models"][0]["version"], (*version)["version"]);

  json snapshot = json::parse(feed_->Snapshot());
  ASSERT_EQ(snapshot["versions"].size(), 1u);
  EXPECT_EQ(snapshot["versions"][0]["key"], "model/helmet");
  EXPECT_EQ(snapshot["models"][0]["key"], "model/helmet");

  auto node = recorder_->WaitFor([](const json& m) { return m["type"] == "node" && m.contains("chunks"); });
  ASSERT_TRUE(node);
  EXPECT_GT((*node)["store_bytes"].get<uint64_t>(), 0u);
  std::string metrics = feed_->MetricsText();
  EXPECT_NE(metrics.find("edgesync_versions_applied_total{kind=\"model\",origin=\"local\"} 1\n"),
            std::string::npos) << metrics;
  EXPECT_NE(metrics.find("edgesync_versions_applied_total{kind=\"dataset\",origin=\"local\"} 0\n"),
            std::string::npos);
}

TEST_F(StatusFeedTest, MetricsCarryTheBuildInfo) {
  const std::string line = "edgesync_build_info{version=\"" + std::string(BuildVersion()) + "\",commit=\"" +
                           std::string(BuildCommit()) + "\"} 1\n";
  std::string metrics = feed_->MetricsText();
  EXPECT_NE(metrics.find(line), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("# TYPE edgesync_build_info gauge\n"), std::string::npos);
}

TEST_F(StatusFeedTest, MetricsCarryTheSampledLimitsAndLeaveOutWhatIsNotConfigured) {
  std::string metrics;
  ASSERT_TRUE(testing::PollUntil([&] {
    metrics = feed_->MetricsText();
    return metrics.find("\nedgesync_disk_free_bytes ") != std::string::npos;
  }, 5s)) << metrics;
  EXPECT_NE(metrics.find("\nedgesync_disk_size_bytes "), std::string::npos) << metrics;
  // No certificate or CRL configured, no replicator.
  for (const char* absent : {"edgesync_cert_expiry_timestamp_seconds", "edgesync_crl_next_update_timestamp_seconds",
                             "edgesync_versions_pending", "edgesync_versions_unserved"})
    EXPECT_EQ(metrics.find(absent), std::string::npos) << absent;
}

TEST_F(StatusFeedTest, RecentVersionsAreBoundedNewestFirst) {
  for (int i = 0; i < 55; ++i) PutModel("model/m" + std::to_string(i), "{}");
  json snapshot = json::parse(feed_->Snapshot());
  ASSERT_EQ(snapshot["versions"].size(), 50u);
  EXPECT_EQ(snapshot["versions"][0]["key"], "model/m54");
}

TEST_F(StatusFeedTest, ReportsBecomeErrorEventsAndCounters) {
  feed_->OnCorruptData("node-b", "chunk abc does not match its id");
  feed_->OnHttpAuthFailure("127.0.0.1");
  feed_->OnGarbageCollected(GcStats{10, 2, 4096, 1});
  auto error = recorder_->WaitFor([](const json& m) { return m["type"] == "error" && m["category"] == "corrupt_chunk"; });
  ASSERT_TRUE(error);
  EXPECT_EQ((*error)["peer"], "node-b");
  std::string metrics = feed_->MetricsText();
  EXPECT_NE(metrics.find("edgesync_corrupt_data_rejected_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("edgesync_auth_failures_total{source=\"http\"} 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("edgesync_gc_runs_total 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("edgesync_gc_reclaimed_bytes_total 4096\n"), std::string::npos);
}

TEST_F(StatusFeedTest, ReadRefusalsAreCountedByKindFromZero) {
  EXPECT_NE(feed_->MetricsText().find("edgesync_read_refusals_total{kind=\"chunk\"} 0\n"), std::string::npos);
  feed_->OnReadRefused("changes", 3);
  feed_->OnReadRefused("chunk", 2);
  feed_->OnReadRefused("chunk", 1);
  const std::string metrics = feed_->MetricsText();
  EXPECT_NE(metrics.find("edgesync_read_refusals_total{kind=\"changes\"} 3\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("edgesync_read_refusals_total{kind=\"chunk\"} 3\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("edgesync_read_refusals_total{kind=\"manifest\"} 0\n"), std::string::npos) << metrics;
}

}  // namespace
}  // namespace edgesync

namespace edgesync {
namespace {

TEST_F(StatusFeedTest, RefusedLinksAreErrorsCountedOnce) {
  {
    std::lock_guard lock(refusals_mu_);
    refusals_ = {{"10.0.0.9:7781", "certificate revoked", 1000, 2}};
  }
  auto error = recorder_->WaitFor([](const json& m) { return m["type"] == "error" && m["category"] == "peer_refused"; });
  ASSERT_TRUE(error);
  EXPECT_EQ((*error)["peer"], "10.0.0.9:7781");
  ASSERT_TRUE(WaitForRefusalReads(3));  // two more complete samples of the same list
  EXPECT_NE(feed_->MetricsText().find("edgesync_auth_failures_total{source=\"peer\"} 2\n"), std::string::npos);
  {
    std::lock_guard lock(refusals_mu_);
    refusals_[0].count = 5;
    refusals_[0].at_ms = 2000;
  }
  ASSERT_TRUE(WaitForRefusalReads(2));  // one complete sample of the changed list
  EXPECT_NE(feed_->MetricsText().find("edgesync_auth_failures_total{source=\"peer\"} 5\n"), std::string::npos)
      << feed_->MetricsText();
}

}  // namespace
}  // namespace edgesync

namespace edgesync {
namespace {

// Copies every head of `key` from `src` to `dst` the way replication does (chunks, then apply).
void Deliver(Store& src, Store& dst, const std::string& key) {
  auto heads = src.Heads(*ObjectKey::Parse(key));
  ASSERT_TRUE(heads.ok());
  for (const auto& h : *heads) {
    Manifest m = src.ReadManifest(h.record.manifest_id).value();
    for (const auto& f : m.files)
      for (const auto& c : f.chunks) {
        std::string bytes;
        ASSERT_TRUE(src.chunks().Get(c.id, &bytes).ok());
        ASSERT_TRUE(dst.chunks().Put(c.id, bytes).ok());
      }
    ASSERT_TRUE(dst.ApplyRemote(*ObjectKey::Parse(key), h.record, m).ok());
  }
}

TEST_F(StatusFeedTest, ConcurrentHeadsOpenAConflictAndANewWriteResolvesIt) {
  StoreOptions options;
  options.path = dir_ / "store-b";
  options.node_id = "node-b";
  auto other = Store::Open(options);
  ASSERT_TRUE(other.ok());
  PutModel("model/m", R"({"task":"a"})");
  std::ofstream(dir_ / "b.bin") << "written on b";
  ASSERT_TRUE((*other)->Put(*ObjectKey::Parse("model/m"), dir_ / "b.bin", R"({"task":"b"})").ok());
  Deliver(**other, *store_, "model/m");

  auto replicated = recorder_->WaitFor([](const json& m) { return m["type"] == "version" && m["origin"] == "replicated"; });
  ASSERT_TRUE(replicated);
  EXPECT_EQ((*replicated)["author"], "node-b");
  auto opened = recorder_->WaitFor([](const json& m) { return m["type"] == "conflict" && m["state"] == "opened"; });
  ASSERT_TRUE(opened);
  EXPECT_EQ((*opened)["key"], "model/m");
  EXPECT_EQ((*opened)["heads"].size(), 2u);
  EXPECT_EQ(json::parse(feed_->Snapshot())["conflicts"].size(), 1u);

  PutModel("model/m", R"({"task":"merged by hand"})");  // dominates both heads
  auto resolved = recorder_->WaitFor([](const json& m) { return m["type"] == "conflict" && m["state"] == "resolved"; });
  ASSERT_TRUE(resolved);
  EXPECT_EQ((*resolved)["heads"].size(), 1u);
  EXPECT_TRUE(json::parse(feed_->Snapshot())["conflicts"].empty());
  std::string metrics = feed_->MetricsText();
  EXPECT_NE(metrics.find("edgesync_conflicts_open 0\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("edgesync_conflicts_opened_total 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("edgesync_conflicts_resolved_total 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("edgesync_versions_applied_total{kind=\"model\",origin=\"replicated\"} 1\n"),
            std::string::npos);
}

}  // namespace
}  // namespace edgesync
