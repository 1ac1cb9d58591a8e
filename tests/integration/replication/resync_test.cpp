// `edgesync resync` between real TLS daemons: a node restarted with wider subscriptions keeps
// reading its peer's log from the checkpoint, so a key put while it was narrower never comes;
// a resync scoped to that peer and key compares the whole log, fetches the key, and says so.
#include <regex>

#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ResyncTest : public ClusterFixture {};

TEST_F(ResyncTest, ScopedResyncFetchesWhatTheCheckpointSkippedAndReportsIt) {
  fs::path ca = MakeCa("ca", "resync-1");
  TestNode& cloud = AddNode("cloud-1", ca, "cloud");
  TestNode& edge = AddNode("edge-1", ca, "edge");
  Start(cloud);
  Start(edge, {&cloud}, {"--subscribe", "meta/*"});
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(edge) == 1; }));

  MakeFile(root() / "weights" / "model.bin", std::string(300 << 10, 'w'));
  ASSERT_EQ(Cli(cloud, {"put", "model/skipped", (root() / "weights").string()}).exit_code, 0);
  ASSERT_EQ(Cli(cloud, {"meta", "set", "meta/site", "region=north"}).exit_code, 0);
  // The edge takes meta/site and reads the cloud's log past model/skipped.
  ASSERT_TRUE(PollUntil([&] { return Cli(edge, {"meta", "get", "meta/site"}).exit_code == 0; }));
  ASSERT_TRUE(PollUntil([&] {
    json p = CliJson(edge, {"peers"});
    return p.is_object() && p["peers"].size() == 1 && p["peers"][0]["lag"] == 0;
  }));

  // Restarted with every key wanted, it still reads on from its checkpoint.
  ASSERT_EQ(Stop(edge), 0);
  Start(edge, {&cloud});
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(edge) == 1; }));
  ASSERT_TRUE(PollUntil([&] {
    json p = CliJson(edge, {"peers"});
    return p.is_object() && p["peers"].size() == 1 && p["peers"][0]["lag"] == 0;
  }));
  EXPECT_NE(Cli(edge, {"get", "model/skipped", (root() / "before").string()}).exit_code, 0);

  // Unknown peer: a clear error, nothing started.
  ProcessResult unknown = Cli(edge, {"resync", "--peer", "nobody"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("'nobody' is not connected"), std::string::npos) << unknown.err;

  json report = CliJson(edge, {"resync", "--peer", "cloud-1", "--key", "model/*"});
  ASSERT_TRUE(report.is_object()) << report;
  ASSERT_EQ(report["peers"].size(), 1u) << report;
  const json& p = report["peers"][0];
  EXPECT_EQ(p["node_id"], "cloud-1");
  EXPECT_TRUE(p["done"].get<bool>()) << p;
  EXPECT_EQ(p["keys_compared"], 1) << p;  // model/skipped; meta/site is outside --key
  EXPECT_EQ(p["in_sync"], 0) << p;
  EXPECT_EQ(p["fixed"], json::array({"model/skipped"})) << p;
  EXPECT_TRUE(p["fetching"].empty()) << p;

  fs::path got = root() / "after";
  ProcessResult get = Cli(edge, {"get", "model/skipped", got.string()});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(ReadFileText(got / "model.bin"), std::string(300 << 10, 'w'));

  // Now everything agrees: the human report says so.
  // (Every key the cloud's log names: model/skipped, meta/site and the nodes' fleet records.)
  ProcessResult again = Cli(edge, {"resync"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  std::smatch counts;
  ASSERT_TRUE(std::regex_search(again.out, counts, std::regex(R"(cloud-1: (\d+) key\(s\) compared, (\d+) in sync)")))
      << again.out;
  EXPECT_GE(std::stoi(counts[1]), 2) << again.out;
  EXPECT_EQ(counts[1], counts[2]) << again.out;
}

}  // namespace
}  // namespace edgesync::testing
