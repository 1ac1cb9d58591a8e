// A cloud node whose chunks live in an S3 chunk tier (s3rver on 127.0.0.1), with real edge
// daemons over mutual TLS: it replicates a 256 MiB model to two edges and takes a dataset back
// from one; killed in the middle of a put's pack uploads it comes back with nothing of that put
// visible and everything committed before intact; and restored from the bucket onto an empty
// disk it serves the same versions, byte-identical.
#include <fstream>

#include <nlohmann/json.hpp>

#include "objectstore/s3_client.h"
#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"
#include "tests/support/s3rver_server.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using objectstore::testing::S3rverServer;

constexpr auto kTransferTimeout = std::chrono::seconds(240);

class ChunkTierClusterTest : public ClusterFixture {
 protected:
  // The cloud node's config: the [s3] section and the tier, 16 MiB packs, checkpoints every second.
  fs::path TierConfig(const std::string& node) {
    const fs::path credentials = root() / "aws-credentials";
    MakeFile(credentials,
             std::string("[default]\naws_access_key_id = ") + server_.access_key() +
                 "\naws_secret_access_key = " + server_.secret() + "\n",
             fs::perms(0600));
    const fs::path config = root() / (node + ".toml");
    MakeFile(config, "[storage]\nchunk_tier = \"" + Tier(node) +
                         "\"\npack_size = \"16MiB\"\ncheckpoint_interval = \"1s\"\n"
                         "[s3]\nendpoint = \"" + server_.endpoint() +
                         "\"\nregion = \"us-east-1\"\ncredentials_file = \"" + credentials.string() + "\"\n");
    return config;
  }

  std::string Tier(const std::string& node) const {
    return std::string("s3://") + server_.bucket() + "/tiers/" + node;
  }

  size_t PacksInBucket(const std::string& node) {
    auto listed = client_->List(server_.bucket(), "tiers/" + node + "/packs/");
    EXPECT_TRUE(listed.ok()) << listed.status().ToString();
    return listed.ok() ? listed->size() : 0;
  }

  json TierStatus(const TestNode& node) {
    json status = CliJson(node, {"status"});
    return status.is_object() ? status["store"]["chunk_tier"] : json();
  }

  fs::path Model(const std::string& name, uint64_t bytes, uint64_t seed) {
    const fs::path dir = root() / name;
    std::mt19937_64 rng(seed);
    WriteRandomFile(dir / "weights.bin", rng, bytes);
    MakeFile(dir / "labels.txt", "helmet\nno-helmet\n");
    return dir;
  }

  S3rverServer server_;
  std::unique_ptr<objectstore::S3Client> client_ = server_.Client();
};

TEST_F(ChunkTierClusterTest, CloudOnTheTierServesEdgesAndTakesADatasetBack) {
  const fs::path ca = MakeCa("ca", "tier-1");
  TestNode& cloud = AddNode("cloud", ca, "cloud");
  TestNode& edge1 = AddNode("edge-1", ca);
  TestNode& edge2 = AddNode("edge-2", ca);
  Start(cloud, {}, {"--config", TierConfig("cloud").string()});
  Start(edge1, {&cloud});
  Start(edge2, {&cloud});

  const fs::path model = Model("model", 256u << 20, 1);
  ProcessResult put = Cli(cloud, {"put", "model/detector", model.string()}, std::chrono::seconds(180));
  ASSERT_EQ(put.exit_code, 0) << put.err << ReadFileText(cloud.log());
  // 256 MiB in 16 MiB packs: 16 or 17 uploads for the model, not one per chunk.
  const size_t packs = PacksInBucket("cloud");
  EXPECT_GE(packs, 16u);
  EXPECT_LE(packs, 18u);

  for (TestNode* edge : {&edge1, &edge2}) {
    fs::path out;
    ASSERT_TRUE(WaitForGet(*edge, "model/detector", &out, kTransferTimeout)) << ReadFileText(edge->log());
    std::string why;
    EXPECT_TRUE(SameTree(model, out, &why)) << edge->name << ": " << why;
  }

  // A dataset collected on an edge goes up to the cloud, into packs.
  const fs::path dataset = root() / "dataset";
  std::mt19937_64 rng(2);
  WriteIndexedDataset(dataset, rng, 200, 1000, 200000);
  ASSERT_EQ(Cli(edge1, {"put", "dataset/site-a", dataset.string()}).exit_code, 0);
  fs::path back;
  ASSERT_TRUE(WaitForGet(cloud, "dataset/site-a", &back, kTransferTimeout)) << ReadFileText(cloud.log());
  std::string why;
  EXPECT_TRUE(SameTree(dataset, back, &why)) << why;
  EXPECT_GT(PacksInBucket("cloud"), packs);
  json tier = TierStatus(cloud);
  EXPECT_EQ(tier.value("root", ""), Tier("cloud"));
  EXPECT_GT(tier.value("pack_uploads", 0), 16);
}

TEST_F(ChunkTierClusterTest, KilledDuringPackUploadsShowsNothingOfThatPutAndLosesNothing) {
  const fs::path ca = MakeCa("ca", "tier-2");
  TestNode& cloud = AddNode("cloud", ca, "cloud");
  const fs::path config = TierConfig("cloud");
  Start(cloud, {}, {"--config", config.string()});
  const fs::path first = Model("first", 8u << 20, 3);
  ASSERT_EQ(Cli(cloud, {"put", "model/first", first.string()}).exit_code, 0);

  // A large put; the daemon dies once some of its packs are up and others are not.
  const fs::path big = Model("big", 192u << 20, 4);
  const uint64_t uploads_before = TierStatus(cloud).value("pack_uploads", uint64_t{0});
  BackgroundProcess put({EDGESYNC_BIN, "--socket", cloud.socket().string(), "put", "model/big", big.string()},
                        root() / "put.out", root() / "put.err");
  ASSERT_TRUE(PollUntil([&] { return TierStatus(cloud).value("pack_uploads", uint64_t{0}) >= uploads_before + 2; },
                        std::chrono::seconds(120)))
      << ReadFileText(cloud.log());
  KillNode(cloud);
  put.Wait(std::chrono::seconds(30));

  Start(cloud, {}, {"--config", config.string()});
  const auto heads = HeadsByKey(CliJson(cloud, {"ls"}));
  EXPECT_EQ(heads.count("model/big"), 0u) << "a version whose packs were not all up is not visible";
  fs::path out;
  ASSERT_TRUE(WaitForGet(cloud, "model/first", &out));
  std::string why;
  EXPECT_TRUE(SameTree(first, out, &why)) << why;

  // The put, repeated, completes; the packs the killed one left are collected.
  ProcessResult again = Cli(cloud, {"put", "model/big", big.string()}, std::chrono::seconds(180));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  ASSERT_TRUE(WaitForGet(cloud, "model/big", &out));
  EXPECT_TRUE(SameTree(big, out, &why)) << why;
  json gc = CliJson(cloud, {"gc"});
  ASSERT_TRUE(gc.is_object()) << ReadFileText(cloud.log());
  const size_t packs = PacksInBucket("cloud");
  EXPECT_LE(packs, 1u + 13u + 2u) << "first, big, and at most what waits for the next checkpoint";
}

TEST_F(ChunkTierClusterTest, RestoredOntoAnEmptyDiskServesTheSameVersions) {
  const fs::path ca = MakeCa("ca", "tier-3");
  TestNode& cloud = AddNode("cloud", ca, "cloud");
  TestNode& edge = AddNode("edge", ca);
  const fs::path config = TierConfig("cloud");
  Start(cloud, {}, {"--config", config.string()});
  const fs::path model = Model("model", 40u << 20, 5);
  ASSERT_EQ(Cli(cloud, {"put", "model/detector", model.string()}).exit_code, 0);
  const fs::path dataset = root() / "dataset";
  std::mt19937_64 rng(6);
  WriteIndexedDataset(dataset, rng, 50, 1000, 100000);
  ASSERT_EQ(Cli(cloud, {"put", "dataset/site-a", dataset.string()}).exit_code, 0);
  const auto heads = HeadsByKey(CliJson(cloud, {"ls"}));
  ASSERT_EQ(heads.size(), 2u);

  // Wait for a checkpoint holding both puts, then lose the disk without a clean stop.
  const uint64_t last_seq = CliJson(cloud, {"status"})["store"].value("last_seq", uint64_t{0});
  ASSERT_TRUE(PollUntil([&] { return TierStatus(cloud).value("checkpoint_seq", uint64_t{0}) >= last_seq; },
                        std::chrono::seconds(60)));
  KillNode(cloud);
  fs::remove_all(cloud.data_dir / "store");

  Start(cloud, {}, {"--config", config.string(), "--restore-from", Tier("cloud")});
  EXPECT_EQ(HeadsByKey(CliJson(cloud, {"ls"})), heads) << "same keys, same version ids";
  fs::path out;
  ASSERT_TRUE(WaitForGet(cloud, "model/detector", &out));
  std::string why;
  EXPECT_TRUE(SameTree(model, out, &why)) << why;
  EXPECT_GT(TierStatus(cloud).value("range_reads", 0), 0) << "the cache was lost with the disk";
  // An edge joining now is served by the restored node.
  Start(edge, {&cloud});
  ASSERT_TRUE(WaitForGet(edge, "dataset/site-a", &out, kTransferTimeout)) << ReadFileText(edge.log());
  EXPECT_TRUE(SameTree(dataset, out, &why)) << why;

  // A second restore over the data is refused: it never overwrites a store.
  ASSERT_EQ(Stop(cloud), 0);
  ProcessResult refused = RunProcess({EDGESYNCD_BIN, "--data-dir", cloud.data_dir.string(), "--config", config.string(),
                                      "--restore-from", Tier("cloud"), "--http-status", "off",
                                      "--control-socket", (root() / "restore.sock").string()},
                                     std::chrono::seconds(60));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("not empty"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace edgesync::testing
