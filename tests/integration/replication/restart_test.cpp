// Restarting either end of a link re-establishes it and catches up on what was missed.
#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;

class RestartTest : public ClusterFixture {};

TEST_F(RestartTest, LinkComesBackAndCatchesUp) {
  fs::path ca = MakeCa("ca", "factory-1");
  TestNode& cloud = AddNode("cloud-1", ca, "cloud");
  TestNode& edge = AddNode("edge-1", ca);
  Start(cloud);
  Start(edge, {&cloud});
  MakeFile(root() / "v1" / "w.bin", "first");
  ASSERT_EQ(Cli(cloud, {"put", "model/a", (root() / "v1").string()}).exit_code, 0);
  fs::path out;
  ASSERT_TRUE(WaitForGet(edge, "model/a", &out));

  // The edge is down while the cloud publishes; it catches up when it comes back.
  ASSERT_EQ(Stop(edge), 0);
  MakeFile(root() / "v2" / "w.bin", "second");
  ASSERT_EQ(Cli(cloud, {"put", "model/b", (root() / "v2").string()}).exit_code, 0);
  Start(edge, {&cloud});
  ASSERT_TRUE(WaitForGet(edge, "model/b", &out)) << ReadFileText(edge.log());
  EXPECT_EQ(ReadFileText(out / "w.bin"), "second");

  // The cloud restarts on the same port; the edge's dialer reconnects and catches up.
  ASSERT_EQ(Stop(cloud), 0);
  Start(cloud);
  MakeFile(root() / "v3" / "w.bin", "third");
  ASSERT_EQ(Cli(cloud, {"put", "model/c", (root() / "v3").string()}).exit_code, 0);
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(edge) == 1; }, std::chrono::seconds(60)))
      << ReadFileText(edge.log());
  ASSERT_TRUE(WaitForGet(edge, "model/c", &out)) << ReadFileText(edge.log());
  EXPECT_EQ(ReadFileText(out / "w.bin"), "third");
}

}  // namespace
}  // namespace edgesync::testing
