// Read rules across real daemons over mutual TLS: a site-a and a site-b edge behind one cloud
// node each receive their own site's datasets and the shared models, never the other site's;
// a peer with a valid site-a certificate that speaks the protocol by hand (and claims site b in
// its Hello) is refused the other site's manifest and chunks however it names them, while a
// chunk both sites share is served to it only as part of its own site's version; a relay that
// may read everything serves an edge only what the edge may read; and a rule change on the
// cloud applies to the next request, and to keys granted later (read again from the logs).
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <set>
#include <mutex>

#include "replication/message_types.h"
#include "replication/messages.h"
#include "store/manifest.h"
#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"
#include "tests/unit/replication/hostile_peer.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using replication::ChangesBatch;
using replication::ChunkRequest;
using replication::ManifestReply;
using replication::ManifestRequest;
using replication::RequestedVersion;
using transport::Lane;

// Writes are open to every role; models and meta/ are read by all, everything by cloud and
// admin nodes, and each site's datasets by the nodes certified for that site.
const std::string kSiteRules =
    R"(rules=[{"roles":["*"],"keys":["*"],"allow":"write"},)"
    R"({"roles":["*"],"keys":["model/*","meta/*"],"allow":"read"},)"
    R"({"roles":["cloud","admin"],"keys":["*"],"allow":"read"},)"
    R"({"labels":{"site":"a"},"keys":["dataset/site-a/*"],"allow":"read"},)"
    R"({"labels":{"site":"b"},"keys":["dataset/site-b/*"],"allow":"read"}])";

// One CSV file each site records identically (a chunk both datasets hold), one of its own each.
const std::string kShared = "frame,label\ncalibration-1,board\ncalibration-2,board\n";
const std::string kSiteA = "frame,label\na-0001,helmet\na-0002,vest\n";
const std::string kSiteB = "frame,label\nb-0001,forklift\nb-0002,pallet\n";

// A peer with a real certificate whose replication side is driven by the test, one request at
// a time: what an attacker holding a valid certificate can ask for.
class Probe {
 public:
  Probe(const TestNode& identity, const std::string& cluster_id, std::map<std::string, std::string> hello_labels = {})
      : peer_({identity.data_dir / "cluster" / "ca.crt", identity.data_dir / "cluster" / "node.crt",
               identity.data_dir / "cluster" / "node.key", ""},
              cluster_id, identity.name, std::move(hello_labels)) {
    peer_.respond = [this](uint32_t type, const std::string& payload) {
      std::lock_guard lock(mu_);
      received_[type].push_back(payload);
      cv_.notify_all();
    };
  }

  bool Connect(const TestNode& to) {
    peer_.ConnectTo(to.peer_port);
    return PollUntil([&] { return peer_.connected(); });
  }

  // The whole change log the node serves to this peer.
  std::vector<replication::KeyHeads> Changes() {
    std::vector<replication::KeyHeads> all;
    uint64_t since = 0;
    for (;;) {
      auto payload = Ask(replication::kChangesRequest, Encode(replication::ChangesRequest{since, 256, {}}),
                         replication::kChangesBatch);
      if (!payload) return all;
      auto batch = replication::DecodeChangesBatch(*payload);
      EXPECT_TRUE(batch.ok());
      if (!batch.ok()) return all;
      for (auto& c : batch->changes) all.push_back(std::move(c));
      if (!batch->more) return all;
      since = batch->upto;
    }
  }

  std::optional<ManifestReply> AskManifest(const ManifestRequest& request) {
    auto payload = Ask(replication::kManifestRequest, Encode(request), replication::kManifestReply);
    if (!payload) return std::nullopt;
    auto reply = replication::DecodeManifestReply(*payload);
    return reply.ok() ? std::optional<ManifestReply>(*reply) : std::nullopt;
  }

  // One answer per chunk asked for: found, and whether it was encoded against `base`.
  struct ChunkAnswer {
    bool found = false;
    std::optional<ChunkId> base;
  };
  std::map<ChunkId, ChunkAnswer> AskChunks(const ChunkRequest& request) {
    std::map<ChunkId, ChunkAnswer> answers;
    std::unique_lock lock(mu_);
    auto& data = received_[replication::kChunkData];
    const size_t before = data.size();
    lock.unlock();
    if (!peer_.Send(Lane::kControl, replication::kChunkRequest, Encode(request))) return answers;
    lock.lock();
    if (!cv_.wait_for(lock, std::chrono::seconds(20), [&] { return data.size() >= before + request.ids.size(); }))
      return answers;
    for (size_t i = before; i < data.size(); ++i) {
      auto chunk = replication::DecodeChunkData(data[i]);
      if (!chunk.ok()) continue;
      answers[chunk->id] = {chunk->found, chunk->encoding == replication::ChunkEncoding::kZstdWithBase
                                              ? std::optional<ChunkId>(chunk->base)
                                              : std::nullopt};
    }
    return answers;
  }

 private:
  // Sends one request and waits for the next message of `reply_type`.
  std::optional<std::string> Ask(uint32_t type, const std::string& payload, uint32_t reply_type) {
    std::unique_lock lock(mu_);
    auto& replies = received_[reply_type];
    const size_t before = replies.size();
    lock.unlock();
    if (!peer_.Send(Lane::kControl, type, payload)) return std::nullopt;
    lock.lock();
    if (!cv_.wait_for(lock, std::chrono::seconds(20), [&] { return replies.size() > before; })) return std::nullopt;
    return replies[before];
  }

  replication::testing::HostilePeer peer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint32_t, std::deque<std::string>> received_;  // guarded by mu_
};

// A version as a change log announced it, and its manifest.
struct Announced {
  std::string key;
  VersionRecord record;
  RequestedVersion version() const { return {key, record.Id(key)}; }
};

std::optional<Announced> Find(const std::vector<replication::KeyHeads>& changes, const std::string& key) {
  for (const auto& c : changes)
    if (c.key == key && !c.heads.empty()) return Announced{key, c.heads[0]};
  return std::nullopt;
}

bool Lists(const std::vector<replication::KeyHeads>& changes, const std::string& prefix) {
  return std::any_of(changes.begin(), changes.end(), [&](const auto& c) { return c.key.rfind(prefix, 0) == 0; });
}

class ReadAclTest : public ClusterFixture {
 protected:
  bool Has(const TestNode& node, const std::string& key) { return Cli(node, {"show", key}).exit_code == 0; }
  // The latest version id of `key` on `node`; "" while it has none.
  std::string VersionOf(const TestNode& node, const std::string& key) {
    json shown = CliJson(node, {"show", key});
    return shown.is_object() ? shown.value("version", "") : "";
  }
  bool Logged(const TestNode& node, const std::string& text) {
    return ReadFileText(node.log()).find(text) != std::string::npos;
  }

  // A CA, an admin and a cloud node holding the site rules, a model and each site's dataset
  // (sharing one file).
  void StartCloud() {
    ca_ = MakeCa("ca", "plant-1");
    admin_ = &AddNode("admin-1", ca_, "admin");
    cloud_ = &AddNode("cloud-1", ca_, "cloud");
    Start(*cloud_);
    EXPECT_TRUE(Logged(*cloud_, "READ ACL NOT ENFORCED"));
    Start(*admin_, {cloud_});
    SetRules(kSiteRules);
    ASSERT_TRUE(PollUntil([&] { return Logged(*cloud_, "read ACL in force: 4 read rule(s)"); }));
    MakeFile(root() / "model" / "w.bin", "shared weights");
    MakeFile(root() / "a" / "shared.csv", kShared);
    MakeFile(root() / "a" / "a.csv", kSiteA);
    MakeFile(root() / "b" / "shared.csv", kShared);
    MakeFile(root() / "b" / "b.csv", kSiteB);
    for (const auto& [key, dir] : {std::pair{"model/det", "model"}, std::pair{"dataset/site-a/frames", "a"},
                                   std::pair{"dataset/site-b/frames", "b"}}) {
      ProcessResult put = Cli(*cloud_, {"put", key, (root() / dir).string()});
      ASSERT_EQ(put.exit_code, 0) << key << ": " << put.err;
    }
  }

  // The admin installs `rules`; returns once the cloud holds that version of meta/acl.
  void SetRules(const std::string& rules) {
    ProcessResult set = Cli(*admin_, {"meta", "set", "meta/acl", rules});
    ASSERT_EQ(set.exit_code, 0) << set.err;
    const std::string version = VersionOf(*admin_, "meta/acl");
    ASSERT_FALSE(version.empty());
    ASSERT_TRUE(PollUntil([&] { return VersionOf(*cloud_, "meta/acl") == version; })) << ReadFileText(cloud_->log());
  }

  // An edge of each site, certified for it, behind the cloud.
  void StartSiteEdges() {
    edge_a_ = &AddNode("edge-a", ca_, "edge", 2, {"site=a"});
    edge_b_ = &AddNode("edge-b", ca_, "edge", 2, {"site=b"});
    Start(*edge_a_, {cloud_});
    Start(*edge_b_, {cloud_});
  }

  fs::path ca_;
  TestNode* admin_ = nullptr;
  TestNode* cloud_ = nullptr;
  TestNode* edge_a_ = nullptr;
  TestNode* edge_b_ = nullptr;
};

TEST_F(ReadAclTest, EachSiteReceivesItsOwnDatasetsAndTheModelsNeverTheOtherSites) {
  StartCloud();
  StartSiteEdges();
  TestNode& edge_a = *edge_a_;
  TestNode& edge_b = *edge_b_;
  fs::path out;
  EXPECT_TRUE(WaitForGet(edge_a, "model/det", &out));
  EXPECT_TRUE(WaitForGet(edge_a, "dataset/site-a/frames", &out));
  EXPECT_EQ(ReadFileText(out / "a.csv"), kSiteA);
  EXPECT_TRUE(WaitForGet(edge_b, "model/det", &out));
  EXPECT_TRUE(WaitForGet(edge_b, "dataset/site-b/frames", &out));
  EXPECT_EQ(ReadFileText(out / "shared.csv"), kShared);
  // Each has read the cloud's whole log: the other site's dataset was left out, not late.
  ASSERT_TRUE(WaitUntilRead(edge_a, *cloud_));
  ASSERT_TRUE(WaitUntilRead(edge_b, *cloud_));
  EXPECT_FALSE(Has(edge_a, "dataset/site-b/frames"));
  EXPECT_FALSE(Has(edge_b, "dataset/site-a/frames"));
  EXPECT_TRUE(Has(edge_a, "meta/acl"));  // every node reads the rules it enforces
  // Nothing of the other site is listed in either store.
  for (TestNode* edge : {&edge_a, &edge_b}) {
    json listed = CliJson(*edge, {"ls", "dataset/"});
    EXPECT_EQ(listed.dump().find(edge == &edge_a ? "site-b" : "site-a"), std::string::npos) << listed.dump();
  }
}

TEST_F(ReadAclTest, AHostilePeerGetsNeitherTheOtherSitesManifestNorItsChunks) {
  StartCloud();
  TestNode& spy_b = AddNode("spy-b", ca_, "edge", 2, {"site=b"});
  TestNode& hostile_a = AddNode("hostile-a", ca_, "edge", 2, {"site=a"});
  // What site b's ids are (a reader of site b sees them; an attacker may have learned them).
  Probe b(spy_b, "plant-1");
  ASSERT_TRUE(b.Connect(*cloud_));
  const auto b_changes = b.Changes();
  EXPECT_FALSE(Lists(b_changes, "dataset/site-a/"));
  auto site_b = Find(b_changes, "dataset/site-b/frames");
  ASSERT_TRUE(site_b);
  auto b_manifest = b.AskManifest({site_b->record.manifest_id, site_b->version()});
  ASSERT_TRUE(b_manifest && b_manifest->found);
  const ChunkId shared_id = ChunkId::Of(kShared.data(), kShared.size());
  const ChunkId a_only = ChunkId::Of(kSiteA.data(), kSiteA.size());
  const ChunkId b_only = ChunkId::Of(kSiteB.data(), kSiteB.size());
  auto manifest = Manifest::Decode(b_manifest->manifest);
  ASSERT_TRUE(manifest.ok());
  std::set<ChunkId> b_chunks;
  for (const auto& f : manifest->files)
    for (const auto& c : f.chunks) b_chunks.insert(c.id);
  ASSERT_EQ(b_chunks, (std::set<ChunkId>{shared_id, b_only}));

  // Certified for site a, claiming site b in its Hello: the claim grants nothing.
  Probe hostile(hostile_a, "plant-1", {{"site", "b"}, {"role", "cloud"}});
  ASSERT_TRUE(hostile.Connect(*cloud_));
  const auto a_changes = hostile.Changes();
  EXPECT_FALSE(Lists(a_changes, "dataset/site-b/"));
  EXPECT_TRUE(Find(a_changes, "model/det"));
  auto site_a = Find(a_changes, "dataset/site-a/frames");
  ASSERT_TRUE(site_a);

  // Site b's manifest: by its own version, under site a's version, and naming no version.
  for (const RequestedVersion& named : {site_b->version(), site_a->version(), RequestedVersion{}}) {
    auto reply = hostile.AskManifest({site_b->record.manifest_id, named});
    ASSERT_TRUE(reply) << named.key;
    EXPECT_FALSE(reply->found) << named.key;
    EXPECT_TRUE(reply->manifest.empty());
  }
  auto own = hostile.AskManifest({site_a->record.manifest_id, site_a->version()});
  ASSERT_TRUE(own);
  EXPECT_TRUE(own->found);

  // Site b's chunk, however the request is dressed up, and a chunk that exists nowhere: the
  // same "not found" for both, so the answer tells nothing of what the cloud holds.
  const ChunkId nowhere = ChunkId::Of("no such chunk", 13);
  for (const RequestedVersion& named : {site_b->version(), site_a->version(), RequestedVersion{}}) {
    ChunkRequest request;
    request.ids = {b_only, nowhere};
    request.version = named;
    auto answers = hostile.AskChunks(request);
    ASSERT_EQ(answers.size(), 2u) << named.key;
    EXPECT_FALSE(answers[b_only].found) << named.key;
    EXPECT_FALSE(answers[nowhere].found) << named.key;
  }
  // The chunk both sites share is served as part of site a's version; site b's chunk named as
  // a delta base is not used (that would tell the cloud holds it).
  ChunkRequest request;
  request.ids = {shared_id, a_only};
  request.bases = {std::nullopt, b_only};
  request.version = site_a->version();
  auto answers = hostile.AskChunks(request);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_TRUE(answers[shared_id].found);
  EXPECT_TRUE(answers[a_only].found);
  EXPECT_NE(answers[a_only].base, std::optional<ChunkId>(b_only));

  // Refusals are logged with the peer and the key.
  EXPECT_TRUE(PollUntil([&] {
    return Logged(*cloud_, "read refused (manifest, 1) to peer hostile-a: dataset/site-b/frames") &&
           Logged(*cloud_, "read refused (chunk, 2) to peer hostile-a: dataset/site-b/frames");
  })) << ReadFileText(cloud_->log());
}

TEST_F(ReadAclTest, ARelayServesEachReaderOnlyWhatThatReaderMayRead) {
  StartCloud();
  TestNode& relay = AddNode("relay-1", ca_, "cloud");
  TestNode& edge_b = AddNode("edge-b", ca_, "edge", 2, {"site=b"});
  TestNode& hostile_b = AddNode("hostile-b", ca_, "edge", 2, {"site=b"});
  Start(relay, {cloud_});
  // A node serves by the rules it holds: the relay has them before edge-b links to it.
  ASSERT_TRUE(PollUntil([&] { return Logged(relay, "read ACL in force: 4 read rule(s)"); }));
  Start(edge_b, {&relay});  // reaches the cloud's data only through the relay
  fs::path out;
  // The relay may read everything and holds everything...
  EXPECT_TRUE(WaitForGet(relay, "dataset/site-a/frames", &out));
  EXPECT_TRUE(WaitForGet(relay, "dataset/site-b/frames", &out));
  // ...but serves edge-b by edge-b's rights.
  EXPECT_TRUE(WaitForGet(edge_b, "dataset/site-b/frames", &out));
  EXPECT_TRUE(WaitForGet(edge_b, "model/det", &out));
  ASSERT_TRUE(WaitUntilRead(edge_b, relay));
  EXPECT_FALSE(Has(edge_b, "dataset/site-a/frames"));

  Probe hostile(hostile_b, "plant-1");
  ASSERT_TRUE(hostile.Connect(relay));
  EXPECT_FALSE(Lists(hostile.Changes(), "dataset/site-a/"));
  // Site a's version as the relay's own log shows it to a reader of everything.
  ChunkRequest request;
  request.ids = {ChunkId::Of(kSiteA.data(), kSiteA.size())};
  request.version = {"dataset/site-a/frames", VersionOf(relay, "dataset/site-a/frames")};
  auto answers = hostile.AskChunks(request);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_FALSE(answers.begin()->second.found);
  EXPECT_TRUE(PollUntil([&] { return Logged(relay, "read refused (chunk, 1) to peer hostile-b: dataset/site-a/frames"); }))
      << ReadFileText(relay.log());
}

TEST_F(ReadAclTest, ARuleChangeOnTheCloudAppliesToTheNextRequest) {
  StartCloud();
  StartSiteEdges();
  TestNode& edge_a = *edge_a_;
  TestNode& edge_b = *edge_b_;
  TestNode& spy_b = AddNode("spy-b", ca_, "edge", 2, {"site=b"});
  fs::path out;
  ASSERT_TRUE(WaitForGet(edge_b, "model/det", &out));
  Probe b(spy_b, "plant-1");
  ASSERT_TRUE(b.Connect(*cloud_));
  auto model = Find(b.Changes(), "model/det");
  ASSERT_TRUE(model);
  const ManifestRequest ask_model{model->record.manifest_id, model->version()};
  ASSERT_TRUE(b.AskManifest(ask_model)->found);

  // Models become site a's only; site b may now read site a's datasets as well as its own.
  SetRules(R"(rules=[{"roles":["*"],"keys":["*"],"allow":"write"},)"
           R"({"roles":["*"],"keys":["meta/*"],"allow":"read"},)"
           R"({"roles":["cloud","admin"],"keys":["*"],"allow":"read"},)"
           R"({"labels":{"site":"a"},"keys":["dataset/site-a/*","model/*"],"allow":"read"},)"
           R"({"labels":{"site":"b"},"keys":["dataset/site-b/*"],"allow":"read"},)"
           R"({"labels":{"site":"b"},"keys":["dataset/site-a/*"],"allow":"read"}])");
  // Once the cloud has taken the new rules, its very next answer follows them.
  ASSERT_TRUE(PollUntil([&] { return Logged(*cloud_, "read ACL in force: 5 read rule(s)"); }));
  auto refused = b.AskManifest(ask_model);
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->found);
  EXPECT_FALSE(Find(b.Changes(), "model/det"));

  // A new model reaches site a only; site a's dataset, left out of site b's reads before, now
  // reaches site b (its log is read again when the rules change).
  MakeFile(root() / "model2" / "w.bin", "newer weights");
  ASSERT_EQ(Cli(*cloud_, {"put", "model/seg", (root() / "model2").string()}).exit_code, 0);
  EXPECT_TRUE(WaitForGet(edge_a, "model/seg", &out));
  EXPECT_TRUE(WaitForGet(edge_b, "dataset/site-a/frames", &out)) << ReadFileText(edge_b.log());
  ASSERT_TRUE(WaitUntilRead(edge_b, *cloud_));
  EXPECT_FALSE(Has(edge_b, "model/seg"));
}

}  // namespace
}  // namespace edgesync::testing
