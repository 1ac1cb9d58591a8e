#include "transport/identity.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/unit/transport/test_pki.h"

namespace edgesync::transport {
namespace {

using testing::TestPki;

TEST(IdentityTest, CreatesCaWithPrivateKeyFile) {
  TestPki pki("factory");
  struct stat info {};
  ASSERT_EQ(::stat((pki.dir() / "ca" / kCaKeyFile).c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto loaded = LoadClusterCa(pki.dir() / "ca");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->cluster_id, "factory");
}

TEST(IdentityTest, WritingAKeyRefusesASymlinkAtItsName) {
  TestPki pki("factory");
  const std::filesystem::path outside = pki.dir() / "outside.txt";
  ASSERT_TRUE(WriteTextFile(outside, "keep", false).ok());
  std::filesystem::create_symlink(outside, pki.dir() / "node.key");
  Status written = WriteTextFile(pki.dir() / "node.key", "secret", true);
  EXPECT_FALSE(written.ok());
  EXPECT_NE(written.message().find("symlink"), std::string::npos) << written.message();
  EXPECT_EQ(ReadTextFile(outside).value(), "keep");
}

TEST(IdentityTest, SignedCertificateCarriesNodeRoleAndCluster) {
  TestPki pki("factory");
  auto files = pki.Issue("edge-7", "edge");
  auto identity = ReadCertifiedIdentity(files.cert_pem);
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(identity->node_id, "edge-7");
  EXPECT_EQ(identity->role, "edge");
  EXPECT_EQ(identity->cluster_id, "factory");
  EXPECT_TRUE(VerifyNodeCertificate(pki.ca().cert_pem, files.cert_pem).ok());
  struct stat info {};
  ASSERT_EQ(::stat(files.key.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(IdentityTest, LabelsSignedByTheCaAreReadBackFromTheCertificate) {
  TestPki pki("factory");
  auto request = CreateNodeKeyRequest("edge-7", "edge");
  ASSERT_TRUE(request.ok());
  auto cert = SignNodeRequest(pki.ca(), request->csr_pem, {}, {{"site", "a"}, {"zone/row", "hall-3.b_2"}});
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  auto identity = ReadCertifiedIdentity(*cert);
  ASSERT_TRUE(identity.ok());
  const std::map<std::string, std::string> expected = {{"site", "a"}, {"zone/row", "hall-3.b_2"}};
  EXPECT_EQ(identity->labels, expected);
  EXPECT_EQ(identity->role, "edge");
  EXPECT_TRUE(ReadCertifiedIdentity(pki.Issue("edge-8").cert_pem)->labels.empty());
}

TEST(IdentityTest, LabelsThatCannotTravelInAUriAreRefused) {
  TestPki pki("factory");
  auto request = CreateNodeKeyRequest("edge-7", "edge");
  ASSERT_TRUE(request.ok());
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"site", "a,URI:edgesync://role/admin"}, {"site", ""}, {"", "a"}, {"si te", "a"}, {"site", "a=b"},
           {"site", std::string(129, 'a')}}) {
    auto cert = SignNodeRequest(pki.ca(), request->csr_pem, {}, {{key, value}});
    EXPECT_FALSE(cert.ok()) << key << "=" << value;
    EXPECT_EQ(cert.status().code(), Status::Code::kInvalidArgument);
  }
}

TEST(IdentityTest, ExpiredCertificateRefused) {
  TestPki pki("factory");
  auto files = pki.Issue("edge-1", "edge", {std::chrono::hours(-48), std::chrono::hours(-24)});
  auto status = VerifyNodeCertificate(pki.ca().cert_pem, files.cert_pem);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), Status::Code::kUnauthenticated);
  EXPECT_NE(status.message().find("expired"), std::string::npos) << status.message();
}

TEST(IdentityTest, WrongCaRefused) {
  TestPki ours("factory");
  TestPki theirs("other");
  auto files = theirs.Issue("edge-1");
  auto status = VerifyNodeCertificate(ours.ca().cert_pem, files.cert_pem);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("issuer"), std::string::npos) << status.message();
}

TEST(IdentityTest, RevokedCertificateRefusedViaCrl) {
  TestPki pki("factory");
  auto revoked = pki.Issue("edge-1");
  auto kept = pki.Issue("edge-2");
  auto crl = CreateCrl(pki.ca(), {revoked.cert_pem});
  ASSERT_TRUE(crl.ok()) << crl.status().ToString();
  auto status = VerifyNodeCertificate(pki.ca().cert_pem, revoked.cert_pem, crl.value());
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("revoked"), std::string::npos) << status.message();
  EXPECT_TRUE(VerifyNodeCertificate(pki.ca().cert_pem, kept.cert_pem, crl.value()).ok());
}

TEST(IdentityTest, RejectsBadNames) {
  EXPECT_FALSE(CreateClusterCa("bad/name").ok());
  EXPECT_FALSE(CreateNodeKeyRequest("", "edge").ok());
  EXPECT_FALSE(CreateNodeKeyRequest("node", "role=x").ok());
}

}  // namespace
}  // namespace edgesync::transport
