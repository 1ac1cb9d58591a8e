// Tombstone purge between real TLS daemons with sync.max_offline of 2 s: a delete every peer has
// read is purged for good by `gc`; a peer that was offline longer than that comes back holding
// the deleted key alive, is told of the purge, drops the key instead of offering it back, and
// keeps (and sends) what it wrote while offline.
#include <thread>

#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

const std::vector<std::string> kShortOffline = {"--max-offline", "2s"};

class TombstonePurgeTest : public ClusterFixture {
 protected:
  void Put(TestNode& node, const std::string& key, const std::string& content) {
    fs::path dir = root() / ("src-" + std::to_string(++puts_));
    MakeFile(dir / "model.bin", content);
    ProcessResult put = Cli(node, {"put", key, dir.string()});
    ASSERT_EQ(put.exit_code, 0) << put.err;
  }
  bool Holds(TestNode& node, const std::string& key) {
    return Cli(node, {"get", key, (root() / ("get-" + std::to_string(++gets_))).string()}).exit_code == 0;
  }
  // No lag on any peer link of `node`: it has read every connected peer's log to the end.
  bool CaughtUp(TestNode& node, size_t peers) {
    json p = CliJson(node, {"peers"});
    if (!p.is_object() || p["peers"].size() != peers) return false;
    for (const auto& peer : p["peers"])
      if (!peer["connected"].get<bool>() || peer["lag"] != 0) return false;
    return true;
  }
  // History of a key as `history --json` shows it; null when the key is unknown.
  bool Known(TestNode& node, const std::string& key) { return Cli(node, {"history", key}).exit_code == 0; }

 private:
  int puts_ = 0, gets_ = 0;
};

TEST_F(TombstonePurgeTest, ReadDeletesArePurgedAndAStalePeerDropsWhatWasDeleted) {
  fs::path ca = MakeCa("ca", "purge-1");
  TestNode& cloud = AddNode("cloud-1", ca, "cloud");
  TestNode& edge = AddNode("edge-1", ca, "edge");
  TestNode& away = AddNode("edge-2", ca, "edge");
  Start(cloud, {}, kShortOffline);
  Start(edge, {&cloud}, kShortOffline);
  Start(away, {&cloud}, kShortOffline);
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(cloud) == 2; }));

  Put(cloud, "model/gone", std::string(200 << 10, 'g'));
  Put(cloud, "model/stays", std::string(200 << 10, 's'));
  ASSERT_TRUE(PollUntil([&] { return Holds(edge, "model/gone") && Holds(away, "model/gone"); }));
  // The cloud has read edge-2's log too (its entries for both keys), then edge-2 goes away.
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(cloud, 2) && CaughtUp(away, 1); }));
  ASSERT_EQ(Stop(away), 0);

  ASSERT_EQ(Cli(cloud, {"rm", "model/gone"}).exit_code, 0);
  ASSERT_TRUE(PollUntil([&] { return !Holds(edge, "model/gone"); }));
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(edge, 1); }));
  // Too young to purge: the delete is kept.
  json gc = CliJson(cloud, {"gc"});
  ASSERT_TRUE(gc.is_object());
  EXPECT_EQ(gc["purged_keys"], 0) << gc;
  EXPECT_TRUE(Known(cloud, "model/gone"));

  // Older than max_offline, read by edge-1 (which keeps asking: pokes), edge-2 silent too long:
  // purged on the cloud, and on edge-1 by its own gc.
  std::this_thread::sleep_for(2500ms);
  ASSERT_EQ(Cli(cloud, {"meta", "set", "meta/tick", "n=1"}).exit_code, 0);  // edge-1 reads again
  ASSERT_TRUE(PollUntil([&] { return Cli(edge, {"meta", "get", "meta/tick"}).exit_code == 0; }));
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(edge, 1); }));
  gc = CliJson(cloud, {"gc"});
  ASSERT_TRUE(gc.is_object());
  EXPECT_EQ(gc["purged_keys"], 1) << gc;
  EXPECT_GT(gc["bytes_deleted"].get<uint64_t>(), 0u) << gc;
  EXPECT_FALSE(Known(cloud, "model/gone"));
  EXPECT_TRUE(Holds(cloud, "model/stays"));
  ProcessResult edge_gc = Cli(edge, {"gc"});
  EXPECT_NE(edge_gc.out.find("purged 1 deleted key(s)"), std::string::npos) << edge_gc.out;
  EXPECT_FALSE(Known(edge, "model/gone"));

  // edge-2 writes while still offline, then comes back: it still holds model/gone alive.
  Start(away, {}, kShortOffline);
  ASSERT_TRUE(Holds(away, "model/gone"));
  Put(away, "model/written-offline", std::string(100 << 10, 'o'));
  ASSERT_EQ(Stop(away), 0);
  Start(away, {&cloud}, kShortOffline);

  // It drops the deleted key (told of the purge) and never offers it back; its own write and
  // the rest arrive everywhere.
  EXPECT_TRUE(PollUntil([&] { return !Known(away, "model/gone"); }, 30s)) << ReadFileText(away.log());
  EXPECT_TRUE(PollUntil([&] { return Holds(cloud, "model/written-offline") && Holds(edge, "model/written-offline"); }, 30s));
  EXPECT_TRUE(Holds(away, "model/stays"));
  EXPECT_TRUE(PollUntil([&] { return CaughtUp(cloud, 2) && CaughtUp(away, 1); }));
  EXPECT_FALSE(Holds(cloud, "model/gone"));
  EXPECT_FALSE(Known(cloud, "model/gone"));
  EXPECT_FALSE(Holds(edge, "model/gone"));
  EXPECT_NE(ReadFileText(away.log()).find("dropped 1 key(s) deleted there: model/gone"), std::string::npos)
      << ReadFileText(away.log());
}

}  // namespace
}  // namespace edgesync::testing
