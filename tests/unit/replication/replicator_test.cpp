// Loopback integration tests of the Replicator: real stores, real TLS links.
#include "replication/replicator.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "tests/support/poll_until.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/replication/repl_node.h"

namespace edgesync::replication {
namespace {

using edgesync::testing::PollUntil;
using edgesync::testing::RandomBytes;
using edgesync::testing::TempDir;
using testing::ReplNode;

ObjectKey Key(const std::string& s) { return ObjectKey::Parse(s).value(); }

void WriteFile(const std::filesystem::path& p, const std::string& data, int mode = 0644) {
  std::filesystem::create_directories(p.parent_path());
  { std::ofstream(p, std::ios::binary) << data; }
  std::filesystem::permissions(p, static_cast<std::filesystem::perms>(mode));
}

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The latest version id of `key` on `node`, or "" when absent.
std::string LatestId(ReplNode& node, const std::string& key) {
  auto v = node.store().Latest(Key(key));
  return v.ok() ? v->id : "";
}

class ReplicatorTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (!HasFailure()) return;
    for (const auto& n : nodes_)
      for (const auto& line : n->log()) std::printf("[%s] %s\n", n->id().c_str(), line.c_str());
  }
  ReplNode& AddNode(const std::string& id) {
    nodes_.push_back(std::make_unique<ReplNode>(pki_, id, data_ / id));
    nodes_.back()->Start();
    return *nodes_.back();
  }
  transport::testing::TestPki pki_{"test-cluster"};
  TempDir data_, src_;
  std::vector<std::unique_ptr<ReplNode>> nodes_;
};

TEST_F(ReplicatorTest, PutOnOneNodeAppearsByteIdenticalOnTheOther) {
  ReplNode& a = AddNode("node-a");
  ReplNode& b = AddNode("node-b");
  WriteFile(src_ / "weights.bin", RandomBytes(3 << 20, 1));
  WriteFile(src_ / "run.sh", "#!/bin/sh\n", 0755);
  auto v = a.store().Put(Key("model/helmet"), src_.path(), R"({"task":"object_detection"})");
  ASSERT_TRUE(v.ok());
  b.ConnectTo(a);
  ASSERT_TRUE(PollUntil([&] { return LatestId(b, "model/helmet") == v->id; }));
  auto got = b.store().Latest(Key("model/helmet"));
  EXPECT_EQ(got->record, v->record);  // vector, HLC and author kept
  TempDir out;
  ASSERT_TRUE(b.store().Materialize(*got, out.path()).ok());
  EXPECT_EQ(ReadAll(out / "weights.bin"), ReadAll(src_ / "weights.bin"));
  EXPECT_EQ(std::filesystem::status(out / "run.sh").permissions() & std::filesystem::perms::owner_exec,
            std::filesystem::perms::owner_exec);

  // Live push: a new version after catch-up arrives without a reconnect, in either direction.
  WriteFile(src_ / "weights.bin", RandomBytes(1 << 20, 2));
  auto v2 = a.store().Put(Key("model/helmet"), src_.path(), "{}");
  ASSERT_TRUE(v2.ok());
  ASSERT_TRUE(PollUntil([&] { return LatestId(b, "model/helmet") == v2->id; }));
  auto v3 = b.store().Put(Key("meta/notes"), src_ / "run.sh", "{}");
  ASSERT_TRUE(v3.ok());
  ASSERT_TRUE(PollUntil([&] { return LatestId(a, "meta/notes") == v3->id; }));
  auto peers = a.replicator().Peers();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].node_id, "node-b");
  EXPECT_TRUE(peers[0].connected);
  EXPECT_GT(peers[0].bytes_out, 4u << 20);
}

// sync.priorities: a receiver asks for an urgent version's chunks before a bulk one's, so with
// a small window the urgent version, announced after the bulk one in the same batch, lands first.
TEST_F(ReplicatorTest, UrgentVersionIsFetchedBeforeAnOlderBulkOne) {
  ReplNode& a = AddNode("node-a");
  nodes_.push_back(std::make_unique<ReplNode>(pki_, "node-b", data_ / "node-b"));
  ReplNode& b = *nodes_.back();
  b.configure = [](StoreOptions&, ReplicatorOptions& options) {
    options.window_bytes = 512u << 10;
    options.priorities = {{"model/hotfix", limits::PriorityClass::kUrgent}, {"dataset/*", limits::PriorityClass::kBulk}};
  };
  b.Start();
  WriteFile(src_ / "big" / "data.bin", RandomBytes(12 << 20, 3));
  WriteFile(src_ / "fix" / "weights.bin", RandomBytes(1 << 20, 4));
  auto bulk = a.store().Put(Key("dataset/backfill"), src_ / "big", "{}");
  auto urgent = a.store().Put(Key("model/hotfix"), src_ / "fix", "{}");
  ASSERT_TRUE(bulk.ok() && urgent.ok());
  b.ConnectTo(a);
  ASSERT_TRUE(PollUntil([&] { return LatestId(b, "dataset/backfill") == bulk->id; }));
  ASSERT_EQ(LatestId(b, "model/hotfix"), urgent->id);
  std::vector<std::string> applied;
  for (const std::string& line : b.log())
    if (line.find("applied ") != std::string::npos) applied.push_back(line.substr(line.find("applied ") + 8, 12));
  ASSERT_EQ(applied.size(), 2u);
  EXPECT_EQ(applied[0], "model/hotfix") << "the older bulk version went first";
}

TEST_F(ReplicatorTest, ThreeNodesInALineRelayAndDeletesStayDeleted) {
  ReplNode& a = AddNode("node-a");
  ReplNode& b = AddNode("node-b");
  ReplNode& c = AddNode("node-c");
  b.ConnectTo(a);
  c.ConnectTo(b);  // a and c never talk
  WriteFile(src_ / "d.csv", "x,y\n1,2\n");
  auto v = a.store().Put(Key("dataset/site-a/hard"), src_.path(), "{}");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(PollUntil([&] { return LatestId(c, "dataset/site-a/hard") == v->id; }));
  auto del = a.store().Delete(Key("dataset/site-a/hard"));
  ASSERT_TRUE(del.ok());
  ASSERT_TRUE(PollUntil([&] {
    auto h = c.store().Heads(Key("dataset/site-a/hard"));
    return h.ok() && h->size() == 1 && h->front().record.tombstone;
  }));
  EXPECT_TRUE(c.store().Latest(Key("dataset/site-a/hard")).status().IsNotFound());
  // Re-put after delete on the far end comes back to a, dominating the tombstone.
  auto again = c.store().Put(Key("dataset/site-a/hard"), src_.path(), "{}");
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(PollUntil([&] { return LatestId(a, "dataset/site-a/hard") == again->id; }));
  auto where = b.replicator().Where("dataset/site-a/hard");
  ASSERT_GE(where.size(), 2u);
  EXPECT_TRUE(where[0].local);
}

TEST_F(ReplicatorTest, ConcurrentWritesWhileApartBecomeSiblingsOnBoth) {
  ReplNode& a = AddNode("node-a");
  ReplNode& b = AddNode("node-b");
  WriteFile(src_ / "one/f", "from a");
  WriteFile(src_ / "two/f", "from b");
  auto va = a.store().Put(Key("model/m"), src_ / "one", "{}");
  auto vb = b.store().Put(Key("model/m"), src_ / "two", "{}");
  ASSERT_TRUE(va.ok() && vb.ok());
  b.ConnectTo(a);
  auto two_heads = [&](ReplNode& n) {
    auto h = n.store().Heads(Key("model/m"));
    return h.ok() && h->size() == 2;
  };
  ASSERT_TRUE(PollUntil([&] { return two_heads(a) && two_heads(b); }));
  EXPECT_EQ(LatestId(a, "model/m"), LatestId(b, "model/m"));  // same lww winner on both
}

TEST_F(ReplicatorTest, RestartedReceiverResumesAndRefetchesLittle) {
  ReplNode& a = AddNode("node-a");
  auto b = std::make_unique<ReplNode>(pki_, "node-b", data_ / "node-b");
  b->Start();
  WriteFile(src_ / "big.bin", RandomBytes(48 << 20, 5));
  auto v = a.store().Put(Key("model/big"), src_.path(), "{}");
  ASSERT_TRUE(v.ok());
  b->ConnectTo(a);
  // Stop the receiver part-way through the transfer.
  ASSERT_TRUE(PollUntil([&] {
    auto peers = a.replicator().Peers();
    return !peers.empty() && peers[0].bytes_out > (12u << 20);
  }));
  b->Stop();
  uint64_t sent_before = a.replicator().Peers()[0].bytes_out;
  b->Start();
  b->ConnectTo(a);
  ASSERT_TRUE(PollUntil([&] { return LatestId(*b, "model/big") == v->id; }, std::chrono::seconds(30)));
  ASSERT_TRUE(PollUntil([&] { return !a.replicator().Peers().empty() && a.replicator().Peers()[0].connected; }));
  uint64_t resent = a.replicator().Peers()[0].bytes_out;
  EXPECT_LT(resent, (48u << 20) - sent_before + (8u << 20)) << "sent before restart: " << sent_before;
  EXPECT_EQ(*b->replicator().PendingCount(), 0u);
  TempDir out;
  ASSERT_TRUE(b->store().Materialize(*b->store().Latest(Key("model/big")), out.path()).ok());
  EXPECT_EQ(ReadAll(out / "big.bin"), ReadAll(src_ / "big.bin"));
  b->Stop();
}

}  // namespace
}  // namespace edgesync::replication

namespace edgesync::replication {
namespace {

TEST_F(ReplicatorTest, SmallEditCostsAboutTheEditedBytesOnTheWire) {
  ReplNode& a = AddNode("node-a");
  ReplNode& b = AddNode("node-b");
  std::string data = RandomBytes(16 << 20, 21);
  WriteFile(src_ / "w.bin", data);
  auto v1 = a.store().Put(Key("model/delta"), src_.path(), "{}");
  ASSERT_TRUE(v1.ok());
  b.ConnectTo(a);
  ASSERT_TRUE(PollUntil([&] { return LatestId(b, "model/delta") == v1->id; }));
  const uint64_t before = a.replicator().Peers()[0].bytes_out;
  // Rewrite 16 scattered 4 KiB blocks: each lands in a different chunk.
  for (int i = 0; i < 16; ++i) {
    std::string noise = RandomBytes(4096, 100 + i);
    data.replace(static_cast<size_t>(i) * (1 << 20) + 12345, noise.size(), noise);
  }
  WriteFile(src_ / "w.bin", data);
  auto v2 = a.store().Put(Key("model/delta"), src_.path(), "{}");
  ASSERT_TRUE(v2.ok());
  ASSERT_TRUE(PollUntil([&] { return LatestId(b, "model/delta") == v2->id; }));
  const uint64_t wire = a.replicator().Peers()[0].bytes_out - before;
  // Bytes of chunks the new version has and the old one lacks: what plain CDC would send.
  auto m1 = a.store().ReadManifest(v1->record.manifest_id).value();
  auto m2 = a.store().ReadManifest(v2->record.manifest_id).value();
  std::set<ChunkId> old_ids;
  for (const auto& c : m1.files[0].chunks) old_ids.insert(c.id);
  uint64_t new_chunk_bytes = 0;
  for (const auto& c : m2.files[0].chunks)
    if (!old_ids.count(c.id)) new_chunk_bytes += c.size;
  // As deltas they cost a few times the 64 KiB edited, not the whole new chunks.
  EXPECT_LT(wire * 3, new_chunk_bytes) << "wire " << wire << " new chunk bytes " << new_chunk_bytes;
  EXPECT_LT(wire, 512u << 10);
  std::printf("delta: 16 x 4 KiB edited, new chunk bytes %lu, wire bytes %lu\n",
              static_cast<unsigned long>(new_chunk_bytes), static_cast<unsigned long>(wire));
  TempDir out;
  ASSERT_TRUE(b.store().Materialize(*b.store().Latest(Key("model/delta")), out.path()).ok());
  EXPECT_TRUE(ReadAll(out / "w.bin") == data);
}

}  // namespace
}  // namespace edgesync::replication

namespace edgesync::replication {
namespace {

TEST_F(ReplicatorTest, EdgeNodeGetsOnlyItsPartAndSubscribedKeysUntilItWidens) {
  ReplNode& cloud = AddNode("cloud");
  nodes_.push_back(std::make_unique<ReplNode>(pki_, "edge", data_ / "edge"));
  ReplNode& edge = *nodes_.back();
  edge.SetSelection({"model/*"}, {{"role", "edge"}});
  edge.Start();
  WriteFile(src_ / "joint/edge/small.tflite", RandomBytes(300 << 10, 31));
  WriteFile(src_ / "joint/cloud/large.onnx", RandomBytes(2 << 20, 32));
  const char* spec = R"({"task":"object_detection","parts":{"edge":{},"cloud":{}}})";
  auto model = cloud.store().Put(Key("model/helmet"), src_ / "joint", spec);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  WriteFile(src_ / "data/a.csv", "x\n1\n");
  auto dataset = cloud.store().Put(Key("dataset/hard"), src_ / "data", "{}");
  ASSERT_TRUE(dataset.ok());
  edge.ConnectTo(cloud);
  ASSERT_TRUE(PollUntil([&] { return LatestId(edge, "model/helmet") == model->id; }));
  // The edge part is complete and verified; the cloud part's bytes never came.
  TempDir out;
  ASSERT_TRUE(edge.store().Materialize(*edge.store().Latest(Key("model/helmet")), out.path(), {"edge/", true}).ok());
  EXPECT_EQ(ReadAll(out / "small.tflite"), ReadAll(src_ / "joint/edge/small.tflite"));
  TempDir all;
  EXPECT_FALSE(edge.store().Materialize(*edge.store().Latest(Key("model/helmet")), all.path()).ok());
  EXPECT_LT(cloud.replicator().Peers()[0].bytes_out, 1u << 20);
  EXPECT_EQ(LatestId(edge, "dataset/hard"), "");  // not subscribed

  // Widening (a configuration reload) reads the log again: the dataset and the cloud part come.
  ASSERT_TRUE(edge.replicator().UpdateSelection({}, {{"role", "edge"}, {"gpu", "yes"}}).ok());
  ASSERT_TRUE(PollUntil([&] { return LatestId(edge, "dataset/hard") == dataset->id; }));
}

}  // namespace
}  // namespace edgesync::replication
