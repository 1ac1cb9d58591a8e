// Links that must not come up: a certificate from another cluster's CA; and startup checks on
// the node's own TLS material and node id.
#include <algorithm>

#include "base/exit_codes.h"
#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class RefusalTest : public ClusterFixture {
 protected:
  // Wall-clock ms of the newest link refusal `node` recorded (`peers`); 0 if none.
  uint64_t LastRefusalMs(const TestNode& node) {
    json peers = CliJson(node, {"peers"});
    uint64_t last = 0;
    if (peers.is_object())
      for (const json& refusal : peers["refused"]) last = std::max(last, refusal.value("at_ms", uint64_t{0}));
    return last;
  }
};

TEST_F(RefusalTest, WrongClusterCertificateIsRefused) {
  TestNode& ours = AddNode("cloud-1", MakeCa("ca", "factory-1"), "cloud");
  TestNode& stranger = AddNode("edge-x", MakeCa("other-ca", "factory-2"));
  Start(ours);
  Start(stranger, {&ours});

  json peers;
  ASSERT_TRUE(PollUntil([&] {
    peers = CliJson(stranger, {"peers"});
    return peers.is_object() && !peers["refused"].empty();
  })) << peers << ReadFileText(stranger.log());
  EXPECT_EQ(ConnectedPeers(stranger), 0u);
  EXPECT_EQ(ConnectedPeers(ours), 0u);
  std::string reason = peers["refused"][0]["reason"];
  EXPECT_FALSE(reason.empty());
  EXPECT_NE(ReadFileText(stranger.log()).find("refused"), std::string::npos);

  // Nothing crosses: a put on either side stays there. The stranger keeps redialing (backoff of
  // at most 30 s); once an attempt made after the put is refused too, nothing can have crossed.
  MakeFile(root() / "m" / "w.bin", "weights");
  ASSERT_EQ(Cli(ours, {"put", "model/secret", (root() / "m").string()}).exit_code, 0);
  const uint64_t refused_at_put = LastRefusalMs(stranger);
  ASSERT_TRUE(PollUntil([&] { return LastRefusalMs(stranger) > refused_at_put; }, std::chrono::seconds(60)))
      << ReadFileText(stranger.log());
  EXPECT_NE(Cli(stranger, {"get", "model/secret", (root() / "leak").string()}).exit_code, 0);
  ProcessResult human = Cli(stranger, {"peers"});
  EXPECT_NE(human.out.find("refused"), std::string::npos) << human.out;
}

TEST_F(RefusalTest, RevokedCertificateIsRefused) {
  fs::path ca = MakeCa("ca", "factory-1");
  TestNode& cloud = AddNode("cloud-1", ca, "cloud");
  TestNode& lost = AddNode("edge-lost", ca);
  fs::path crl = root() / "crl.pem";
  ProcessResult revoke = LocalCli({"cluster", "revoke", ca.string(),
                                   (lost.data_dir / "cluster" / "node.crt").string(), "--crl",
                                   crl.string()});
  EXPECT_NE(revoke.out.find("edge-lost"), std::string::npos) << revoke.out;
  Start(cloud, {}, {"--cluster-crl", crl.string()});
  Start(lost, {&cloud});
  json peers;
  ASSERT_TRUE(PollUntil([&] {
    peers = CliJson(cloud, {"peers"});
    return peers.is_object() && !peers["refused"].empty();
  })) << peers << ReadFileText(cloud.log());
  EXPECT_EQ(ConnectedPeers(cloud), 0u);
  EXPECT_EQ(ConnectedPeers(lost), 0u);
  EXPECT_NE(peers["refused"][0]["reason"].get<std::string>().find("revoked"), std::string::npos)
      << peers;
}

TEST_F(RefusalTest, StartupChecksExit78WithOneLine) {
  fs::path ca = MakeCa("ca", "factory-1");
  TestNode& node = AddNode("edge-1", ca);
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = {EDGESYNCD_BIN, "--data-dir", node.data_dir.string(),
                                     "--http-status", "off", "--peer-listen", "127.0.0.1:0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunProcess(argv, std::chrono::seconds(30), {"NOTIFY_SOCKET=", "XDG_RUNTIME_DIR="});
  };
  auto expect_config_error = [](const ProcessResult& r, const std::string& needle) {
    EXPECT_EQ(r.exit_code, kExitConfig) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  };
  expect_config_error(run({"--cluster-cert", (root() / "missing.crt").string()}),
                      "cluster.cert");
  expect_config_error(run({"--cluster-id", "factory-9"}), "cluster.id");
  expect_config_error(run({"--cluster-ca-cert", (root() / "ca" / "ca.key").string()}),
                      "cluster.ca_cert");

  // A store that already wrote versions under another node id is not silently re-labelled.
  TestNode& other = AddNode("edge-2", ca);
  Start(other);
  MakeFile(root() / "f" / "x.txt", "x");
  ASSERT_EQ(Cli(other, {"put", "model/x", (root() / "f").string()}).exit_code, 0);
  ASSERT_EQ(Stop(other), 0);
  std::vector<std::string> argv = {EDGESYNCD_BIN, "--data-dir", other.data_dir.string(),
                                   "--http-status", "off", "--peer-listen", "127.0.0.1:0",
                                   "--cluster-cert", (node.data_dir / "cluster" / "node.crt").string(),
                                   "--cluster-key", (node.data_dir / "cluster" / "node.key").string()};
  ProcessResult mismatch = RunProcess(argv, std::chrono::seconds(30), {"NOTIFY_SOCKET="});
  EXPECT_EQ(mismatch.exit_code, kExitConfig) << mismatch.err;
  EXPECT_NE(mismatch.err.find("node id"), std::string::npos) << mismatch.err;
}

}  // namespace
}  // namespace edgesync::testing
