// Five daemons in a mesh (node i dials nodes i+1 and i+2, modulo 5): a model put on one node
// arrives byte-identical on every other.
#include "tests/support/poll_until.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;

class MeshTest : public ClusterFixture {};

TEST_F(MeshTest, ModelReachesAllFiveNodesByteIdentical) {
  fs::path ca = MakeCa("ca", "mesh");
  std::vector<TestNode*> nodes;
  for (int i = 0; i < 5; ++i) nodes.push_back(&AddNode("mesh-" + std::to_string(i), ca));
  // Listen first (ports are chosen at start), then restart each node dialing its two peers.
  for (TestNode* node : nodes) Start(*node);
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(Stop(*nodes[i]), 0);
    Start(*nodes[i], {nodes[(i + 1) % 5], nodes[(i + 2) % 5]});
  }
  ASSERT_TRUE(PollUntil([&] {
    for (TestNode* node : nodes) {
      if (ConnectedPeers(*node) != 4) return false;
    }
    return true;
  }, std::chrono::seconds(60)));

  std::mt19937_64 rng(5);
  fs::path src = root() / "model";
  WriteRandomFile(src / "weights.bin", rng, 24ull << 20);
  WriteRandomTree(src / "aux", rng, 20, 100, 20000);
  ASSERT_EQ(Cli(*nodes[2], {"put", "model/mesh", src.string()}).exit_code, 0);
  for (TestNode* node : nodes) {
    fs::path out;
    ASSERT_TRUE(WaitForGet(*node, "model/mesh", &out, std::chrono::seconds(60))) << node->name;
    std::string why;
    EXPECT_TRUE(SameTree(src, out, &why)) << node->name << ": " << why;
  }
}

}  // namespace
}  // namespace edgesync::testing
