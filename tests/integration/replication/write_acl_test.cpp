// The write ACL across real daemons: an admin installs meta/acl; a non-admin cannot change it;
// an edge node's put to model/* is refused locally naming the rule; a model version an edge
// node wrote before the ACL reached it is refused by the cloud (logged with its author) and
// never relayed to the other edge node, while permitted writes keep flowing both ways. A node's
// deployment report (meta/deployments/<node>) is written by that node alone, with no rule.
#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;

class WriteAclTest : public ClusterFixture {
 protected:
  bool Has(const TestNode& node, const std::string& key) { return Cli(node, {"show", key}).exit_code == 0; }
};

TEST_F(WriteAclTest, RolesDecideWhoWritesWhatAndRefusedVersionsAreNotRelayed) {
  fs::path ca = MakeCa("ca", "factory-1");
  TestNode& admin = AddNode("admin-1", ca, "admin");
  TestNode& cloud = AddNode("cloud-1", ca, "cloud");
  TestNode& edge1 = AddNode("edge-1", ca, "edge");
  TestNode& edge2 = AddNode("edge-2", ca, "edge");

  // Before any ACL: everything allowed, and the daemon says so loudly.
  Start(edge1);
  EXPECT_NE(ReadFileText(edge1.log()).find("WRITE ACL NOT ENFORCED"), std::string::npos);
  MakeFile(root() / "rogue" / "w.bin", "weights an edge box should not publish");
  ProcessResult rogue = Cli(edge1, {"put", "model/rogue", (root() / "rogue").string()});
  ASSERT_EQ(rogue.exit_code, 0) << rogue.err;
  Stop(edge1);

  Start(cloud);
  Start(admin, {&cloud});
  const std::string rules =
      R"(rules=[{"roles":["cloud"],"keys":["model/*"],"allow":"write"},)"
      R"({"roles":["edge","cloud"],"keys":["meta/edge-stats/*"],"allow":"write"}])";
  // Only an admin certificate may install or change the rules.
  ProcessResult by_cloud = Cli(cloud, {"meta", "set", "meta/acl", rules});
  EXPECT_EQ(by_cloud.exit_code, 1);
  EXPECT_NE(by_cloud.err.find("only a certificate with role 'admin'"), std::string::npos) << by_cloud.err;
  ProcessResult by_admin = Cli(admin, {"meta", "set", "meta/acl", rules});
  ASSERT_EQ(by_admin.exit_code, 0) << by_admin.err;
  ASSERT_TRUE(PollUntil([&] { return Has(cloud, "meta/acl"); })) << ReadFileText(cloud.log());
  ASSERT_TRUE(PollUntil([&] { return ReadFileText(cloud.log()).find("write ACL in force: 2 rule(s)") != std::string::npos; }));

  Start(edge2, {&cloud});
  Start(edge1, {&cloud});  // comes back holding model/rogue
  ASSERT_TRUE(PollUntil([&] { return Has(edge1, "meta/acl") && Has(edge2, "meta/acl"); }))
      << ReadFileText(edge1.log());
  ASSERT_TRUE(PollUntil([&] {
    // Written before any ACL, so unsigned: it counts with the role of edge-1, which sent it.
    return ReadFileText(cloud.log()).find("model/rogue by edge-1 (vouched for by the sending peer)") !=
           std::string::npos;
  })) << ReadFileText(cloud.log());

  // Local refusal, naming the role and the rule.
  MakeFile(root() / "m" / "w.bin", "edge weights");
  ProcessResult put = Cli(edge1, {"put", "model/helmet", (root() / "m").string()});
  EXPECT_EQ(put.exit_code, 1);
  EXPECT_NE(put.err.find("permission_denied"), std::string::npos) << put.err;
  EXPECT_NE(put.err.find("role 'edge' may not write model/helmet"), std::string::npos) << put.err;
  EXPECT_NE(put.err.find("rule 1 (keys model/*) allows roles cloud"), std::string::npos) << put.err;

  // Permitted writes flow: edge stats up and across (signed by edge-1, relayed by the cloud),
  // a cloud model down to both edges.
  ASSERT_EQ(Cli(edge1, {"meta", "set", "meta/edge-stats/edge-1", "fps=30"}).exit_code, 0);
  MakeFile(root() / "c" / "w.bin", "cloud weights");
  ASSERT_EQ(Cli(cloud, {"put", "model/helmet", (root() / "c").string()}).exit_code, 0);
  EXPECT_TRUE(PollUntil([&] { return Has(edge2, "meta/edge-stats/edge-1") && Has(cloud, "meta/edge-stats/edge-1"); }))
      << ReadFileText(edge2.log());
  fs::path out;
  EXPECT_TRUE(WaitForGet(edge1, "model/helmet", &out));
  EXPECT_TRUE(WaitForGet(edge2, "model/helmet", &out));

  // The refused version went nowhere, though everything written after it arrived.
  EXPECT_FALSE(Has(cloud, "model/rogue"));
  EXPECT_FALSE(Has(edge2, "model/rogue"));
  EXPECT_TRUE(Has(edge1, "model/rogue"));  // its own write from before the ACL stays
}

TEST_F(WriteAclTest, EachNodeAloneWritesItsOwnDeploymentReport) {
  fs::path ca = MakeCa("ca", "factory-2");
  TestNode& admin = AddNode("admin-1", ca, "admin");
  TestNode& cloud = AddNode("cloud-1", ca, "cloud");
  TestNode& edge = AddNode("edge-1", ca, "edge");
  Start(cloud);
  Start(admin, {&cloud});
  // No rule names meta/deployments/*: a node's own report needs none.
  ASSERT_EQ(Cli(admin, {"meta", "set", "meta/acl", R"(rules=[{"roles":["cloud"],"keys":["model/*"],"allow":"write"}])"})
                .exit_code,
            0);
  ASSERT_TRUE(PollUntil([&] { return Has(cloud, "meta/acl"); }));
  Start(edge, {&cloud});
  ASSERT_TRUE(PollUntil([&] { return Has(edge, "meta/acl"); })) << ReadFileText(edge.log());

  MakeFile(root() / "c" / "w.bin", "cloud weights");
  ASSERT_EQ(Cli(cloud, {"put", "model/det", (root() / "c").string()}).exit_code, 0);
  fs::create_directories(root() / "srv");
  ASSERT_EQ(Cli(edge, {"deploy", "add", "det", "--key", "model/det", "--dir", (root() / "srv" / "det").string()}).exit_code,
            0);
  // The edge's report reaches the cloud, signed by the edge.
  ASSERT_TRUE(PollUntil([&] {
    nlohmann::json rows = CliJson(cloud, {"rollout", "status", "model/det"}).value("nodes", nlohmann::json::array());
    return rows.size() == 1 && rows[0].value("node", "") == "edge-1" && rows[0].value("state", "") == "healthy";
  })) << ReadFileText(edge.log()) << ReadFileText(cloud.log());

  // No node writes another's report, whatever its role.
  for (TestNode* writer : {&cloud, &admin}) {
    ProcessResult forged = Cli(*writer, {"meta", "set", "meta/deployments/edge-1", "det={}"});
    EXPECT_EQ(forged.exit_code, 1) << writer->name;
    EXPECT_NE(forged.err.find("it is node edge-1's own document"), std::string::npos) << forged.err;
  }
}

}  // namespace
}  // namespace edgesync::testing
