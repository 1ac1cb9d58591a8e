// Two TLS daemons: an edge with a 300 MiB disk quota receives 1 GiB of models written by the
// cloud, one after the other. It stays under the quota by evicting the least recently used
// ones (still listed), serves `get` of an evicted one by fetching it again from the cloud, and
// refuses a local put that cannot fit with a clear `quota exceeded` error.
#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"
#include "tests/support/temp_dir.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kQuota = 300 * kMiB;
constexpr int kDatasets = 32;
constexpr uint64_t kDatasetBytes = 32 * kMiB;

class DiskQuotaTest : public ClusterFixture {
 protected:
  json Quota(const TestNode& node) {
    json status = CliJson(node, {"status"});
    return status.is_object() ? status.value("disk_quota", json()) : json();
  }
};

TEST_F(DiskQuotaTest, AnEdgeStaysUnderItsQuotaRefetchesEvictedVersionsAndRefusesPutsThatCannotFit) {
  fs::path ca = MakeCa("ca", "factory-1");
  TestNode& cloud = AddNode("cloud-1", ca, "cloud");
  TestNode& edge = AddNode("edge-1", ca, "edge");
  Start(cloud);
  Start(edge, {&cloud}, {"--max-bytes", "300MiB"});
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(edge) == 1; })) << ReadFileText(edge.log());

  uint64_t peak = 0;
  for (int i = 0; i < kDatasets; ++i) {
    fs::path src = root() / ("d" + std::to_string(i));
    MakeFile(src / "data.bin", RandomBytes(kDatasetBytes, 100 + i));
    ProcessResult put = Cli(cloud, {"put", "model/d" + std::to_string(i), src.string()});
    ASSERT_EQ(put.exit_code, 0) << put.err;
    fs::remove_all(src);
    // Applied on the edge (`show` answers once the version is committed there).
    const std::string key = "model/d" + std::to_string(i);
    ASSERT_TRUE(PollUntil([&] { return Cli(edge, {"show", key}).exit_code == 0; }, std::chrono::seconds(60)))
        << ReadFileText(edge.log());
    json quota = Quota(edge);
    ASSERT_TRUE(quota.is_object()) << quota;
    peak = std::max(peak, quota["peak_bytes"].get<uint64_t>());
    EXPECT_LE(quota["used_bytes"].get<uint64_t>(), kQuota) << quota;
  }
  json quota = Quota(edge);
  EXPECT_EQ(quota["limit_bytes"], kQuota);
  EXPECT_LE(peak, kQuota) << quota;
  EXPECT_GE(quota["evicted_versions"].get<uint64_t>(), static_cast<uint64_t>(kDatasets - 9)) << quota;
  EXPECT_FALSE(quota["replication_paused"].get<bool>()) << quota;
  // Evicted versions stay listed.
  json listed = CliJson(edge, {"ls", "model/"});
  EXPECT_NE(listed.dump().find("model/d0"), std::string::npos) << listed;

  json history = CliJson(edge, {"history", "model/d0"});
  ASSERT_TRUE(history.is_object()) << history;
  EXPECT_TRUE(history["versions"][0].value("evicted", false)) << history;

  // The first model was evicted long ago: get fetches it again, byte-identical.
  fs::path out = root() / "out-d0";
  ProcessResult get = Cli(edge, {"get", "model/d0", out.string()});
  ASSERT_EQ(get.exit_code, 0) << get.err << ReadFileText(edge.log());
  EXPECT_TRUE(ReadFileText(out / "data.bin") == RandomBytes(kDatasetBytes, 100)) << "refetched bytes differ";
  EXPECT_LE(Quota(edge)["used_bytes"].get<uint64_t>(), kQuota);
  history = CliJson(edge, {"history", "model/d0"});
  EXPECT_FALSE(history["versions"][0].value("evicted", false)) << history;

  // A local put larger than the quota can never fit: refused, naming the limit and the usage.
  fs::path big = root() / "big";
  MakeFile(big / "weights.bin", RandomBytes(310 * kMiB, 7));
  ProcessResult refused = Cli(edge, {"put", "model/big", big.string()});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("quota exceeded: storage.max_bytes allows 300.0 MiB"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("MiB is used"), std::string::npos) << refused.err;
  EXPECT_NE(Cli(edge, {"show", "model/big"}).exit_code, 0);  // nothing stored
  ProcessResult human = Cli(edge, {"status"});
  EXPECT_NE(human.out.find("disk quota"), std::string::npos) << human.out;
}

}  // namespace
}  // namespace edgesync::testing
