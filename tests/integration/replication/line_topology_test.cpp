// Three daemons in a line A - B - C (A and C never connect): B relays puts and deletes.
#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;

class LineTopologyTest : public ClusterFixture {};

TEST_F(LineTopologyTest, PutDeleteAndRePutTravelThroughTheMiddle) {
  fs::path ca = MakeCa("ca", "line");
  TestNode& a = AddNode("node-a", ca);
  TestNode& b = AddNode("node-b", ca);
  TestNode& c = AddNode("node-c", ca);
  Start(a);
  Start(b, {&a});
  Start(c, {&b});
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(b) == 2; }));
  EXPECT_EQ(ConnectedPeers(a), 1u);
  EXPECT_EQ(ConnectedPeers(c), 1u);

  MakeFile(root() / "v1" / "model.onnx", std::string(200 * 1024, 'x') + "one");
  ASSERT_EQ(Cli(a, {"put", "model/relay", (root() / "v1").string()}).exit_code, 0);
  fs::path out;
  ASSERT_TRUE(WaitForGet(c, "model/relay", &out)) << ReadFileText(c.log());
  EXPECT_EQ(ReadFileText(out / "model.onnx"), std::string(200 * 1024, 'x') + "one");

  ProcessResult rm = Cli(a, {"rm", "model/relay"});
  ASSERT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_TRUE(PollUntil([&] {
    return Cli(c, {"get", "model/relay", (root() / "after-rm").string()}).exit_code != 0;
  })) << "the delete did not reach node-c";

  MakeFile(root() / "v2" / "model.onnx", "two");
  ASSERT_EQ(Cli(a, {"put", "model/relay", (root() / "v2").string()}).exit_code, 0);
  EXPECT_TRUE(PollUntil([&] {
    fs::path dest = root() / "after-re-put";
    fs::remove_all(dest);
    return Cli(c, {"get", "model/relay", dest.string()}).exit_code == 0 &&
           ReadFileText(dest / "model.onnx") == "two";
  })) << ReadFileText(c.log());
}

}  // namespace
}  // namespace edgesync::testing
