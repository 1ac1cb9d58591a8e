// Fetching one version from several peers at once: a node dialing two holders of a fresh 48 MiB
// model takes chunks from both (each within its own window), and still gets the whole model
// byte-identical when one of them is killed in the middle.
#include <random>

#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr uint64_t kModelBytes = 48u << 20;

class MultiSourceTest : public ClusterFixture {
 protected:
  // A and B both hold model/big (B fetched it from A); C is added, not started.
  void TwoHolders(const std::string& cluster) {
    fs::path ca = MakeCa("ca", cluster);
    a_ = &AddNode("node-a", ca, "cloud");
    b_ = &AddNode("node-b", ca, "cloud");
    c_ = &AddNode("node-c", ca, "edge");
    Start(*a_);
    Start(*b_, {a_});
    std::mt19937_64 rng(11);
    WriteRandomFile(root() / "src" / "weights.bin", rng, kModelBytes);
    ASSERT_EQ(Cli(*a_, {"put", "model/big", (root() / "src").string()}).exit_code, 0);
    fs::path out;
    ASSERT_TRUE(WaitForGet(*b_, "model/big", &out, 60s));
  }
  std::map<std::string, uint64_t> BytesInByPeer(const TestNode& node) {
    std::map<std::string, uint64_t> out;
    json peers = CliJson(node, {"peers"});
    if (peers.is_object())
      for (const json& p : peers["peers"]) out[p["node_id"]] = p.value("bytes_in", uint64_t{0});
    return out;
  }
  bool SameAsSource(const fs::path& got) {
    return ReadFileText(got / "weights.bin") == ReadFileText(root() / "src" / "weights.bin");
  }
  TestNode *a_ = nullptr, *b_ = nullptr, *c_ = nullptr;
};

TEST_F(MultiSourceTest, ChunksComeFromBothHolders) {
  TwoHolders("multi-1");
  Start(*c_, {a_, b_});
  fs::path got;
  ASSERT_TRUE(WaitForGet(*c_, "model/big", &got, 60s)) << ReadFileText(c_->log());
  EXPECT_TRUE(SameAsSource(got));
  auto bytes = BytesInByPeer(*c_);
  // Each holder sent a real share of the model (not just change logs and a manifest).
  EXPECT_GT(bytes["node-a"], kModelBytes / 10) << bytes["node-a"] << " / " << bytes["node-b"];
  EXPECT_GT(bytes["node-b"], kModelBytes / 10) << bytes["node-a"] << " / " << bytes["node-b"];
  EXPECT_LT(bytes["node-a"] + bytes["node-b"], kModelBytes * 3 / 2);  // no chunk fetched twice over
}

TEST_F(MultiSourceTest, AHolderKilledMidwayLeavesItsChunksToTheOther) {
  TwoHolders("multi-2");
  Start(*c_, {a_, b_});
  // Kill B once C has received a few MiB from it.
  ASSERT_TRUE(PollUntil([&] { return BytesInByPeer(*c_)["node-b"] > (4u << 20); }, 30s));
  KillNode(*b_);
  fs::path got;
  ASSERT_TRUE(WaitForGet(*c_, "model/big", &got, 60s)) << ReadFileText(c_->log());
  EXPECT_TRUE(SameAsSource(got));
}

}  // namespace
}  // namespace edgesync::testing
