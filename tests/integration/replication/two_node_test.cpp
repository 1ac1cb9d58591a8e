// Two TLS daemons: a model put on one arrives byte-identical (exec bit kept) on the other;
// peers shows the link with bytes and lag; where lists both nodes; resync asks the peer.
#include <sys/stat.h>

#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class TwoNodeTest : public ClusterFixture {};

TEST_F(TwoNodeTest, ModelReplicatesWithBytesAndExecBit) {
  fs::path ca = MakeCa("ca", "factory-1");
  TestNode& cloud = AddNode("cloud-1", ca, "cloud");
  TestNode& edge = AddNode("edge-1", ca, "edge");
  Start(cloud);
  Start(edge, {&cloud});
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(edge) == 1 && ConnectedPeers(cloud) == 1; }))
      << ReadFileText(edge.log());

  fs::path src = root() / "export";
  // Incompressible (the wire compresses chunks), so byte counters can be checked.
  std::string weights(3 * 1024 * 1024 + 17, '\0');
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (char& c : weights) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x >> 56);
  }
  MakeFile(src / "weights.bin", weights);
  MakeFile(src / "scripts" / "preprocess.sh", "#!/bin/sh\necho resize\n", fs::perms(0755));
  MakeFile(src / "labels.txt", "helmet\nhead\n");
  ProcessResult put = Cli(cloud, {"put", "model/helmet", src.string()});
  ASSERT_EQ(put.exit_code, 0) << put.err;

  fs::path out;
  ASSERT_TRUE(WaitForGet(edge, "model/helmet", &out)) << ReadFileText(edge.log());
  EXPECT_EQ(ReadFileText(out / "weights.bin"), weights);
  EXPECT_EQ(ReadFileText(out / "labels.txt"), "helmet\nhead\n");
  struct stat st{};
  ASSERT_EQ(stat((out / "scripts" / "preprocess.sh").c_str(), &st), 0);
  EXPECT_TRUE(st.st_mode & S_IXUSR) << "exec bit lost";
  ASSERT_EQ(stat((out / "labels.txt").c_str(), &st), 0);
  EXPECT_FALSE(st.st_mode & S_IXUSR);

  // The edge pulled ~3 MB from the cloud and has read the cloud's log to its end.
  json peers;
  ASSERT_TRUE(PollUntil([&] {
    peers = CliJson(edge, {"peers"});
    return peers.is_object() && peers["peers"].size() == 1 && peers["peers"][0]["lag"] == 0;
  })) << peers;
  const json& cloud_peer = peers["peers"][0];
  EXPECT_EQ(cloud_peer["node_id"], "cloud-1");
  EXPECT_EQ(cloud_peer["role"], "cloud");
  EXPECT_TRUE(cloud_peer["connected"].get<bool>());
  EXPECT_GT(cloud_peer["bytes_in"].get<uint64_t>(), 3u * 1024 * 1024) << peers;
  EXPECT_GT(cloud_peer["bytes_out"].get<uint64_t>(), 0u) << peers;
  for (const char* field : {"address", "last_seen_ms", "checkpoint", "peer_latest", "transfers"}) {
    EXPECT_TRUE(cloud_peer.contains(field)) << field;
  }
  ProcessResult human = Cli(edge, {"peers"});
  EXPECT_EQ(human.exit_code, 0) << human.err;
  EXPECT_NE(human.out.find("cloud-1"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("connected"), std::string::npos) << human.out;

  // Both nodes hold the version; each learns the other's holdings from its change log.
  for (TestNode* node : {&edge, &cloud}) {
    json where;
    EXPECT_TRUE(PollUntil([&] {
      where = CliJson(*node, {"where", "model/helmet"});
      return where.is_object() && where["nodes"].size() == 2;
    })) << node->name << ": " << where;
  }
  ProcessResult where_human = Cli(edge, {"where", "model/helmet"});
  EXPECT_NE(where_human.out.find("cloud-1"), std::string::npos) << where_human.out;
  EXPECT_NE(where_human.out.find("edge-1"), std::string::npos) << where_human.out;

  // In sync already: a resync compares the keys and fixes nothing. Only the model's: the nodes'
  // fleet records (meta/nodes/*) change on their own, so one may be fixed by any resync.
  json resync = CliJson(edge, {"resync", "--key", "model/*"});
  ASSERT_TRUE(resync.is_object());
  EXPECT_EQ(resync["peers_asked"], 1);
  ASSERT_EQ(resync["peers"].size(), 1u) << resync;
  EXPECT_EQ(resync["peers"][0]["node_id"], "cloud-1");
  EXPECT_TRUE(resync["peers"][0]["done"].get<bool>());
  EXPECT_EQ(resync["peers"][0]["keys_compared"], 1);
  EXPECT_EQ(resync["peers"][0]["in_sync"], resync["peers"][0]["keys_compared"]);
  EXPECT_TRUE(resync["peers"][0]["fixed"].empty());
  ProcessResult resync_human = Cli(edge, {"resync", "--key", "model/*"});
  EXPECT_NE(resync_human.out.find("cloud-1: 1 key(s) compared, 1 in sync"), std::string::npos) << resync_human.out;
  // After a resync the node still agrees with its peer and reads the log to its end again.
  EXPECT_TRUE(PollUntil([&] {
    json p = CliJson(edge, {"peers"});
    return p.is_object() && p["peers"].size() == 1 && p["peers"][0]["lag"] == 0 &&
           p["peers"][0]["checkpoint"].get<uint64_t>() > 0;
  }));

  EXPECT_EQ(Stop(edge), 0);
  EXPECT_EQ(Stop(cloud), 0);
}

}  // namespace
}  // namespace edgesync::testing
