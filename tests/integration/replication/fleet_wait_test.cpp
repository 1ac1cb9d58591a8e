// `put --wait` between real TLS daemons: it returns once both role=edge nodes hold the new
// version, and with one of them down it times out, exits 1 and names the missing node.
#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class FleetWaitTest : public ClusterFixture {};

TEST_F(FleetWaitTest, PutWaitsForEveryEdgeNodeAndNamesTheMissingOne) {
  fs::path ca = MakeCa("ca", "wait-1");
  TestNode& hub = AddNode("hub", ca, "cloud");
  TestNode& edge1 = AddNode("edge-1", ca, "edge");
  TestNode& edge2 = AddNode("edge-2", ca, "edge");
  Start(hub, {}, {"--label", "role=cloud"});
  Start(edge1, {&hub}, {"--label", "role=edge"});
  Start(edge2, {&hub}, {"--label", "role=edge"});
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(hub) == 2; }));

  fs::path src = root() / "v1";
  MakeFile(src / "weights.bin", std::string(300 << 10, 'a'));
  ProcessResult put = Cli(hub, {"put", "model/helmet", src.string(), "--wait", "role=edge",
                                "--wait-timeout", "20"});
  ASSERT_EQ(put.exit_code, 0) << put.out << put.err;
  EXPECT_NE(put.out.find("2 of 2 role=edge nodes hold it"), std::string::npos) << put.out;
  json show = CliJson(hub, {"show", "model/helmet"});
  ASSERT_TRUE(show.is_object());
  const std::string v1 = show["version"];
  // When put --wait returned, both edges really hold that version.
  for (TestNode* edge : {&edge1, &edge2}) {
    json edge_show = CliJson(*edge, {"show", "model/helmet"});
    ASSERT_TRUE(edge_show.is_object()) << edge->name;
    EXPECT_EQ(edge_show["version"], v1) << edge->name;
  }

  ASSERT_EQ(Stop(edge2), 0);
  MakeFile(src / "weights.bin", std::string(300 << 10, 'b'));
  auto started = std::chrono::steady_clock::now();
  ProcessResult late = Cli(hub, {"put", "model/helmet", src.string(), "--wait", "role=edge",
                                 "--wait-timeout", "3"});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(late.exit_code, 1) << late.out << late.err;
  EXPECT_NE(late.err.find("timed out"), std::string::npos) << late.err;
  EXPECT_NE(late.err.find("edge-2 (disconnected)"), std::string::npos) << late.err;
  EXPECT_EQ(late.err.find("edge-1"), std::string::npos) << "edge-1 holds it: " << late.err;
  EXPECT_GE(seconds, 3.0);
  EXPECT_LT(seconds, 15.0);
  // A count the remaining edge meets; JSON names the holders.
  MakeFile(src / "weights.bin", std::string(300 << 10, 'c'));
  ProcessResult one = Cli(hub, {"put", "model/helmet", src.string(), "--wait", "1", "--json"});
  ASSERT_EQ(one.exit_code, 0) << one.out << one.err;
  EXPECT_NE(one.out.find("\"holders\""), std::string::npos) << one.out;
  EXPECT_NE(one.out.find("edge-1"), std::string::npos) << one.out;
  ProcessResult bad = Cli(hub, {"put", "model/helmet", src.string(), "--wait", "role"});
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_NE(bad.err.find("--wait"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace edgesync::testing
