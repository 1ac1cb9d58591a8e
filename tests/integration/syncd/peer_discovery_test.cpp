// Peers' peers (issue #21): edges at one site that each dial only the origin learn of one
// another from the origin's Hello and link up by themselves, at most network.max_peers dials
// each; an edge of another site is named to them but not dialed. A model put on the origin then
// swarms among the site's edges.
#include <random>

#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

class PeerDiscoveryTest : public ClusterFixture {
 protected:
  void StartOrigin(const std::string& cluster) {
    ca_ = MakeCa("ca", cluster);
    origin_ = &AddNode("origin", ca_, "cloud");
    Start(*origin_);
  }
  // An edge dialing only the origin; returns once the origin has a link to it, so the next
  // edge's Hello from the origin names it.
  TestNode& StartEdge(const std::string& name, const std::vector<std::string>& args) {
    TestNode& edge = AddNode(name, ca_);
    const size_t linked = ConnectedPeers(*origin_);
    Start(edge, {origin_}, args);
    EXPECT_TRUE(PollUntil([&] { return ConnectedPeers(*origin_) == linked + 1; }, 30s)) << name;
    return edge;
  }
  size_t Dials(const TestNode& node) {
    const std::string log = ReadFileText(node.log());
    size_t count = 0;
    for (size_t at = log.find("discovery: dialing"); at != std::string::npos; at = log.find("discovery: dialing", at + 1))
      ++count;
    return count;
  }
  fs::path ca_;
  TestNode* origin_ = nullptr;
};

TEST_F(PeerDiscoveryTest, EdgesOfOneSiteLinkUpByThemselvesAndSwarm) {
  StartOrigin("discovery-1");
  std::vector<TestNode*> site_a;
  site_a.push_back(&StartEdge("edge-a0", {"--label", "site=a"}));
  site_a.push_back(&StartEdge("edge-a1", {"--label", "site=a"}));
  TestNode& other_site = StartEdge("edge-b0", {"--label", "site=b"});
  site_a.push_back(&StartEdge("edge-a2", {"--label", "site=a"}));
  site_a.push_back(&StartEdge("edge-a3", {"--label", "site=a"}));
  // Each site-a edge: the origin and the three others.
  ASSERT_TRUE(PollUntil([&] {
    for (TestNode* e : site_a)
      if (ConnectedPeers(*e) != site_a.size()) return false;
    return true;
  }, 60s));
  // Every site-a edge has dialed all it will (dials start at link up); edge-b0, named to the
  // later ones, was dialed by none and dialed none.
  EXPECT_EQ(ConnectedPeers(other_site), 1u);
  EXPECT_EQ(Dials(other_site), 0u);

  std::mt19937_64 rng(7);
  WriteRandomFile(root() / "src" / "weights.bin", rng, 32u << 20);
  auto sent_to_site_a = [&] {
    uint64_t sum = 0;
    json peers = CliJson(*origin_, {"peers"});
    for (const json& p : peers["peers"])
      if (p["node_id"].get<std::string>().rfind("edge-a", 0) == 0) sum += p["bytes_out_total"].get<uint64_t>();
    return sum;
  };
  const uint64_t before = sent_to_site_a();
  ASSERT_EQ(Cli(*origin_, {"put", "model/big", (root() / "src").string()}).exit_code, 0);
  const std::string want = ReadFileText(root() / "src" / "weights.bin");
  for (TestNode* e : site_a) {
    fs::path got;
    ASSERT_TRUE(WaitForGet(*e, "model/big", &got, 120s)) << e->name;
    EXPECT_TRUE(ReadFileText(got / "weights.bin") == want) << e->name;
  }
  const double ratio = static_cast<double>(sent_to_site_a() - before) / (32u << 20);
  std::printf("origin sent %.2f x the model to the four edges of site a\n", ratio);
  EXPECT_LT(ratio, 1.5);
}

TEST_F(PeerDiscoveryTest, MaxPeersBoundsWhatAnEdgeDials) {
  StartOrigin("discovery-2");
  for (int i = 0; i < 3; ++i) StartEdge("edge-a" + std::to_string(i), {"--label", "site=a"});
  TestNode& late = StartEdge("late", {"--label", "site=a", "--max-peers", "1"});
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(late) == 2; }, 30s));
  EXPECT_EQ(Dials(late), 1u);  // three named, one dialed
  TestNode& none = StartEdge("none", {"--label", "site=a", "--max-peers", "0"});
  EXPECT_TRUE(PollUntil([&] { return ConnectedPeers(none) == 1; }, 30s));
  EXPECT_EQ(Dials(none), 0u);
}

}  // namespace
}  // namespace edgesync::testing
