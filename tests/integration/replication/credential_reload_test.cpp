// Certificates without restarts: a CRL installed while links are up closes the revoked node's
// link at SIGHUP (or `edgesync cluster reload`), and a node whose certificate or CRL is near
// its end says so in `status`.
#include <signal.h>

#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class CredentialReloadTest : public ClusterFixture {
 protected:
  // Whether `node`'s `peers` shows `peer_id` connected.
  bool Connected(const TestNode& node, const std::string& peer_id) {
    json peers = CliJson(node, {"peers"});
    if (!peers.is_object()) return false;
    for (const json& p : peers["peers"])
      if (p.value("node_id", "") == peer_id) return p.value("connected", false);
    return false;
  }

  // A cloud node (certificate for a year) and `edge_names` dialing it (certificates for
  // `edge_days`), all linked. Returns the cloud; the edges are edge(0), edge(1), ...
  TestNode& StartLinked(const std::vector<std::string>& edge_names, int edge_days = 365) {
    ca_ = MakeCa("ca", "factory-1");
    TestNode& cloud = AddNode("cloud-1", ca_, "cloud", 365);
    Start(cloud);
    for (const std::string& name : edge_names) {
      edges_.push_back(&AddNode(name, ca_, "edge", edge_days));
      Start(*edges_.back(), {&cloud});
    }
    EXPECT_TRUE(PollUntil([&] { return ConnectedPeers(cloud) == edge_names.size(); }))
        << ReadFileText(cloud.log());
    return cloud;
  }
  TestNode& edge(size_t i) { return *edges_.at(i); }

  fs::path ca_;
  std::vector<TestNode*> edges_;
};

TEST_F(CredentialReloadTest, RevokedPeerDropsWithinTwoSecondsOfSighup) {
  TestNode& cloud = StartLinked({"edge-lost", "edge-good"});
  TestNode& lost = edge(0);
  const fs::path& ca = ca_;

  // The CRL goes where the daemon looks by default; it did not exist at startup.
  LocalCli({"cluster", "revoke", ca.string(), (lost.data_dir / "cluster" / "node.crt").string(), "--crl",
            (cloud.data_dir / "cluster" / "crl.pem").string()});
  const auto signalled = std::chrono::steady_clock::now();
  cloud.process->Signal(SIGHUP);
  ASSERT_TRUE(PollUntil([&] { return !Connected(cloud, "edge-lost"); }, std::chrono::seconds(10)))
      << ReadFileText(cloud.log());
  const auto took = std::chrono::steady_clock::now() - signalled;
  EXPECT_LT(took, std::chrono::seconds(2))
      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
  EXPECT_TRUE(Connected(cloud, "edge-good"));

  // Its redials meet the new CRL; the lost node is told why.
  json peers;
  ASSERT_TRUE(PollUntil([&] {
    peers = CliJson(cloud, {"peers"});
    return peers.is_object() && !peers["refused"].empty() &&
           peers["refused"][0].value("reason", "").find("revoked") != std::string::npos;
  })) << peers;
  EXPECT_NE(ReadFileText(lost.log()).find("revoked"), std::string::npos);
  EXPECT_FALSE(Connected(cloud, "edge-lost"));

  // `cluster reload` does the same on demand and says what it closed (nothing left to close).
  ProcessResult reload = Cli(cloud, {"cluster", "reload"});
  EXPECT_EQ(reload.exit_code, 0) << reload.err;
  EXPECT_NE(reload.out.find("0 link(s) closed"), std::string::npos) << reload.out;
}

TEST_F(CredentialReloadTest, ClusterReloadClosesTheRevokedLinkOnTheOtherSideToo) {
  TestNode& cloud = StartLinked({"edge-lost"});
  TestNode& lost = edge(0);
  const fs::path& ca = ca_;
  // The edge learns that the cloud's certificate is revoked (say, the cloud's key leaked).
  LocalCli({"cluster", "revoke", ca.string(), (cloud.data_dir / "cluster" / "node.crt").string(), "--crl",
            (lost.data_dir / "cluster" / "crl.pem").string()});
  ProcessResult reload = Cli(lost, {"cluster", "reload"});
  EXPECT_EQ(reload.exit_code, 0) << reload.err;
  EXPECT_NE(reload.out.find("1 link(s) closed"), std::string::npos) << reload.out;
  EXPECT_NE(reload.out.find("closed cloud-1: peer certificate no longer accepted"), std::string::npos)
      << reload.out;
  EXPECT_TRUE(PollUntil([&] { return ConnectedPeers(lost) == 0; }, std::chrono::seconds(2)));
}

TEST_F(CredentialReloadTest, ExpiringCertificateAndCrlShowInStatus) {
  fs::path ca = MakeCa("ca", "factory-1");
  TestNode& soon = AddNode("edge-soon", ca, "edge", 3);
  TestNode& fine = AddNode("edge-fine", ca, "edge", 365);
  fs::path crl = fine.data_dir / "cluster" / "crl.pem";
  LocalCli({"cluster", "revoke", ca.string(), (soon.data_dir / "cluster" / "node.crt").string(), "--crl",
            crl.string(), "--days", "5"});
  Start(soon);
  Start(fine);

  json status = CliJson(soon, {"status"});
  ASSERT_TRUE(status.is_object());
  const json& warnings = status["credentials"]["warnings"];
  ASSERT_EQ(warnings.size(), 1u) << status["credentials"];
  EXPECT_NE(warnings[0].get<std::string>().find("node certificate"), std::string::npos) << warnings;
  EXPECT_NE(warnings[0].get<std::string>().find("expires in 2 day(s)"), std::string::npos) << warnings;
  EXPECT_TRUE(status["credentials"]["crl"].is_null());
  ProcessResult human = Cli(soon, {"status"});
  EXPECT_NE(human.out.find("warning: node certificate"), std::string::npos) << human.out;
  EXPECT_NE(ReadFileText(soon.log()).find("credentials: node certificate"), std::string::npos);

  // A year-long certificate is fine; its CRL is due in 5 days.
  status = CliJson(fine, {"status"});
  ASSERT_TRUE(status.is_object());
  ASSERT_EQ(status["credentials"]["warnings"].size(), 1u) << status["credentials"];
  EXPECT_NE(status["credentials"]["warnings"][0].get<std::string>().find("CRL"), std::string::npos);
  EXPECT_EQ(status["credentials"]["crl"]["file"], crl.string());
}

// Renewal without a restart: `cluster renew`, sign, install, `cluster reload`. Then the old
// certificate is revoked on the peer: the link made with it closes and the edge's redial, made
// with the renewed certificate, is accepted.
TEST_F(CredentialReloadTest, RenewedCertificateIsUsedForNewLinks) {
  TestNode& cloud = StartLinked({"edge-1"}, 3);
  TestNode& edge = this->edge(0);
  const fs::path& ca = ca_;
  // Each side shows the other's software version, from its Hello.
  json cloud_status = CliJson(cloud, {"status"});
  ASSERT_EQ(cloud_status["peers"].size(), 1u) << cloud_status;
  EXPECT_EQ(cloud_status["peers"][0]["node_id"], "edge-1");
  EXPECT_EQ(cloud_status["peers"][0]["version"].get<std::string>().rfind("edgesyncd ", 0), 0u);
  EXPECT_EQ(CliJson(edge, {"peers"})["peers"][0]["version"], cloud_status["peers"][0]["version"]);
  EXPECT_NE(Cli(cloud, {"status"}).out.find("peer edge-1"), std::string::npos);

  const fs::path dir = edge.data_dir / "cluster";
  const fs::path old_cert = root() / "edge-1-old.crt";
  fs::copy_file(dir / "node.crt", old_cert);
  ProcessResult renew = LocalCli({"cluster", "renew", "--out", dir.string()});
  EXPECT_NE(renew.out.find("renewing node edge-1 (role edge)"), std::string::npos) << renew.out;
  LocalCli({"cluster", "sign", ca.string(), (dir / "node.csr").string(), "--days", "365", "--out",
            (dir / "node.crt.next").string()});
  fs::rename(dir / "node.key.next", dir / "node.key");
  fs::rename(dir / "node.crt.next", dir / "node.crt");
  ProcessResult reload = Cli(edge, {"cluster", "reload"});
  ASSERT_EQ(reload.exit_code, 0) << reload.err;
  EXPECT_EQ(reload.out.find("warning:"), std::string::npos) << reload.out;
  json status = CliJson(edge, {"status"});
  EXPECT_TRUE(status["credentials"]["warnings"].empty()) << status["credentials"];
  EXPECT_EQ(ConnectedPeers(cloud), 1u);  // the existing link stays

  LocalCli({"cluster", "revoke", ca.string(), old_cert.string(), "--crl",
            (cloud.data_dir / "cluster" / "crl.pem").string()});
  ProcessResult closed = Cli(cloud, {"cluster", "reload"});
  EXPECT_NE(closed.out.find("closed edge-1"), std::string::npos) << closed.out;
  EXPECT_TRUE(PollUntil([&] {
    json peers = CliJson(cloud, {"peers"});
    return peers.is_object() && !peers["peers"].empty() && peers["peers"][0].value("connected", false) &&
           peers["refused"].empty();
  })) << ReadFileText(cloud.log());
}

}  // namespace
}  // namespace edgesync::testing
