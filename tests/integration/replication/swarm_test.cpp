// Fan-out to a fleet (issue #21): one origin and six edges in a full mesh receive a 64 MiB
// model. Edges fetching it together serve one another the chunks they hold, so the origin sends
// the model about once (counted by its own per-peer byte counters), every edge ends up
// byte-identical, an edge killed midway does not stall the others, and an edge serving corrupt
// chunks is dropped while the others finish.
#include <memory>
#include <random>
#include <sstream>

#include "replication/message_types.h"
#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"
#include "tests/support/test_content.h"
#include "tests/unit/replication/hostile_peer.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr uint64_t kModelBytes = 64u << 20;
constexpr size_t kEdges = 6;

class SwarmTest : public ClusterFixture {
 protected:
  // The origin, then each edge dialing the origin and every edge started before it; returns
  // once every node has a link to every other.
  void StartMesh(const std::string& cluster) {
    fs::path ca = MakeCa("ca", cluster);
    origin_ = &AddNode("origin", ca, "cloud");
    Start(*origin_);
    for (size_t i = 0; i < kEdges; ++i) {
      std::vector<const TestNode*> dial{origin_};
      dial.insert(dial.end(), edges_.begin(), edges_.end());
      edges_.push_back(&AddNode("edge-" + std::to_string(i), ca));
      Start(*edges_.back(), dial);
    }
    ASSERT_TRUE(PollUntil([&] {
      if (ConnectedPeers(*origin_) != kEdges) return false;
      for (TestNode* e : edges_)
        if (ConnectedPeers(*e) != kEdges) return false;
      return true;
    }, 60s));
    std::mt19937_64 rng(21);
    WriteRandomFile(root() / "src" / "weights.bin", rng, kModelBytes);
  }
  // Sum over `node`'s peers of `field` (bytes_out_total, bytes_in_total): every link since the
  // daemon started, so a peer that went away still counts.
  uint64_t PeerBytes(const TestNode& node, const std::string& field) {
    json peers = CliJson(node, {"peers"});
    uint64_t sum = 0;
    if (peers.is_object())
      for (const json& p : peers["peers"]) sum += p.value(field, uint64_t{0});
    return sum;
  }
  void Put() { ASSERT_EQ(Cli(*origin_, {"put", "model/big", (root() / "src").string()}).exit_code, 0); }
  // Every edge but `skip` gets the model byte-identical.
  void ExpectEveryEdgeHasTheModel(const TestNode* skip = nullptr) {
    const std::string want = ReadFileText(root() / "src" / "weights.bin");
    for (TestNode* e : edges_) {
      if (e == skip) continue;
      fs::path got;
      ASSERT_TRUE(WaitForGet(*e, "model/big", &got, 120s)) << e->name << ": " << ReadFileText(e->log());
      EXPECT_TRUE(ReadFileText(got / "weights.bin") == want) << e->name;
    }
  }
  TestNode* origin_ = nullptr;
  std::vector<TestNode*> edges_;
};

TEST_F(SwarmTest, OriginSendsTheModelAboutOnceToSixEdges) {
  StartMesh("swarm-1");
  const uint64_t before = PeerBytes(*origin_, "bytes_out_total");
  Put();
  ExpectEveryEdgeHasTheModel();
  const double ratio = static_cast<double>(PeerBytes(*origin_, "bytes_out_total") - before) / kModelBytes;
  std::printf("origin sent %.2f x the model to %zu edges\n", ratio, kEdges);
  EXPECT_LT(ratio, 1.5);
  // Each edge sent others a real share (not just availability and change logs).
  for (TestNode* e : edges_) EXPECT_GT(PeerBytes(*e, "bytes_out_total"), kModelBytes / 20) << e->name;
}

TEST_F(SwarmTest, AnEdgeKilledMidwayDoesNotStallTheOthers) {
  StartMesh("swarm-2");
  const uint64_t before = PeerBytes(*origin_, "bytes_out_total");
  Put();
  TestNode* victim = edges_[0];
  ASSERT_TRUE(PollUntil([&] { return PeerBytes(*victim, "bytes_in_total") > kModelBytes / 4; }, 60s));
  KillNode(*victim);
  ExpectEveryEdgeHasTheModel(victim);
  const double ratio = static_cast<double>(PeerBytes(*origin_, "bytes_out_total") - before) / kModelBytes;
  std::printf("origin sent %.2f x the model with one edge killed\n", ratio);
  EXPECT_LT(ratio, 1.5);  // its unadvertised share is fetched again, a sixth of the model at most
}

TEST_F(SwarmTest, AnEdgeServingCorruptChunksIsDroppedAndTheOthersFinish) {
  StartMesh("swarm-3");
  // A seventh edge with a certificate of the cluster whose every link claims to hold each
  // chunk the others fetch (so rarest-first asks it early) and answers with wrong bytes.
  const TestNode& liar_identity = AddNode("edge-liar", root() / "ca");
  const fs::path cluster = liar_identity.data_dir / "cluster";
  std::vector<std::unique_ptr<replication::testing::HostilePeer>> liars;
  for (TestNode* e : edges_) {
    liars.push_back(std::make_unique<replication::testing::HostilePeer>(
        transport::testing::NodeFiles{cluster / "ca.crt", cluster / "node.crt", cluster / "node.key", ""}, "swarm-3",
        liar_identity.name));
    replication::testing::ClaimChunks(*liars.back(), [](const std::string& bits) { return std::string(bits.size(), '\xff'); });
    liars.back()->ConnectTo(e->peer_port);
  }
  ASSERT_TRUE(PollUntil([&] {
    for (const auto& liar : liars)
      if (!liar->connected()) return false;
    return true;
  }));

  Put();
  ExpectEveryEdgeHasTheModel();
  size_t asked = 0;
  for (size_t i = 0; i < edges_.size(); ++i) {
    if (liars[i]->received(replication::kChunkRequest) == 0) continue;
    ++asked;
    // Each edge that asked the liar found the bytes wrong and stopped asking it for this version.
    const std::string log = ReadFileText(edges_[i]->log());
    EXPECT_NE(log.find("does not match its id"), std::string::npos) << edges_[i]->name;
    std::istringstream lines(log);
    bool dropped = false;
    for (std::string line; std::getline(lines, line);)
      dropped |= line.find("stopped fetching model/big version") != std::string::npos &&
                 line.find("from edge-liar") != std::string::npos;
    EXPECT_TRUE(dropped) << edges_[i]->name;
  }
  std::printf("%zu of %zu edges asked the corrupt edge and finished without it\n", asked, edges_.size());
  EXPECT_GT(asked, 0u);
}

}  // namespace
}  // namespace edgesync::testing
