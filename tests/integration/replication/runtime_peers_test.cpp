// Peers at runtime: `edgesync peers add|rm|ls` dial and drop peers without a restart and keep
// them across one; the configuration's network.peers stay static.
#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class RuntimePeersTest : public ClusterFixture {};

TEST_F(RuntimePeersTest, AddAndRemoveWithoutRestartKeptAcrossOne) {
  fs::path ca = MakeCa("ca", "factory-1");
  TestNode& edge = AddNode("edge-1", ca, "edge", 365);
  TestNode& cloud = AddNode("cloud-1", ca, "cloud", 365);
  TestNode& other = AddNode("cloud-2", ca, "cloud", 365);
  Start(cloud);
  Start(other);
  Start(edge, {&other});
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(edge) == 1; }));

  ProcessResult added = Cli(edge, {"peers", "add", cloud.address()});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(added.out.find(cloud.address()), std::string::npos) << added.out;
  EXPECT_TRUE(PollUntil([&] { return ConnectedPeers(cloud) == 1; })) << ReadFileText(edge.log());
  json lists = CliJson(edge, {"peers", "ls"});
  EXPECT_EQ(lists["static"], json::array({other.address()})) << lists;
  EXPECT_EQ(lists["runtime"], json::array({cloud.address()})) << lists;

  ProcessResult again = Cli(edge, {"peers", "add", cloud.address()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already a peer"), std::string::npos) << again.err;
  ProcessResult static_rm = Cli(edge, {"peers", "rm", other.address()});
  EXPECT_EQ(static_rm.exit_code, 1);
  EXPECT_NE(static_rm.err.find("configured in network.peers"), std::string::npos) << static_rm.err;
  ProcessResult garbage = Cli(edge, {"peers", "add", "no-port-here"});
  EXPECT_EQ(garbage.exit_code, 1);
  EXPECT_NE(garbage.err.find("host:port"), std::string::npos) << garbage.err;

  // Kept across a restart: the edge dials the cloud again with nothing on its command line.
  ASSERT_EQ(Stop(edge), 0);
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(cloud) == 0; }));
  Start(edge, {&other});
  EXPECT_TRUE(PollUntil([&] { return ConnectedPeers(cloud) == 1; })) << ReadFileText(edge.log());

  ProcessResult removed = Cli(edge, {"peers", "rm", cloud.address()});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_TRUE(PollUntil([&] { return ConnectedPeers(cloud) == 0; }, std::chrono::seconds(5)))
      << ReadFileText(cloud.log());
  EXPECT_NE(ReadFileText(cloud.log()).find("removed from this node's peers"), std::string::npos);
  EXPECT_EQ(CliJson(edge, {"peers", "ls"})["runtime"], json::array());
  EXPECT_EQ(ConnectedPeers(other), 1u);  // the static peer stays
  ProcessResult unknown = Cli(edge, {"peers", "rm", cloud.address()});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("not a peer added at runtime"), std::string::npos) << unknown.err;
  // `peers` alone still lists the links.
  EXPECT_NE(Cli(edge, {"peers"}).out.find("cloud-2"), std::string::npos);
}

}  // namespace
}  // namespace edgesync::testing
