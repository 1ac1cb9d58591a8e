// Write ACL: rule parsing and matching (WriteAcl), version attestations (SealVersion,
// AttestationVerifier) and the decision combining them (WriteAuthority).
#include "replication/write_acl.h"

#include <gtest/gtest.h>

#include "replication/version_attestation.h"
#include "replication/write_authority.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/transport/test_pki.h"
#include "transport/identity.h"

namespace edgesync::replication {
namespace {

using nlohmann::json;

WriteAcl Parse(const std::string& text) {
  auto acl = WriteAcl::FromDocument(json::parse(text));
  EXPECT_TRUE(acl.ok()) << acl.status().ToString();
  return acl.ok() ? *acl : WriteAcl::AdminOnly("test");
}

const char* kFactoryRules = R"({"rules": [
  {"roles": ["cloud"], "keys": ["model/*", "dataset/*"], "allow": "write"},
  {"roles": ["edge", "cloud"], "keys": ["meta/edge-stats/*", "dataset/*/hard-examples"], "allow": "write"}]})";

TEST(WriteAclTest, RulesAllowListedRolesOnMatchingKeysOnly) {
  WriteAcl acl = Parse(kFactoryRules);
  EXPECT_TRUE(acl.enforced());
  EXPECT_TRUE(acl.Check("cloud", "model/helmet").ok());
  EXPECT_TRUE(acl.Check("cloud", "model/factory/helmet").ok());  // '*' crosses '/'
  EXPECT_TRUE(acl.Check("edge", "meta/edge-stats/box-7").ok());
  EXPECT_TRUE(acl.Check("edge", "dataset/site-a/hard-examples").ok());  // second rule
  Status s = acl.Check("edge", "model/helmet");
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied);
  EXPECT_NE(s.message().find("role 'edge'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("rule 1 (keys model/*,dataset/*) allows roles cloud"), std::string::npos)
      << s.message();
  // A key no rule covers is refused, naming that.
  s = acl.Check("cloud", "meta/other");
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied);
  EXPECT_NE(s.message().find("no rule"), std::string::npos) << s.message();
}

TEST(WriteAclTest, WildcardRoleAndOpenDefault) {
  WriteAcl acl = Parse(R"({"rules": [{"roles": ["*"], "keys": ["meta/*"], "allow": "write"}]})");
  EXPECT_TRUE(acl.Check("anything", "meta/x").ok());
  EXPECT_FALSE(acl.Check("anything", "model/x").ok());
  WriteAcl open = WriteAcl::AllowAll();
  EXPECT_FALSE(open.enforced());
  EXPECT_TRUE(open.Check("edge", "model/x").ok());
  EXPECT_NE(open.Describe().find("no meta/acl"), std::string::npos);
}

TEST(WriteAclTest, TheAclItselfIsAdminOnlyEvenWithoutADocumentOrWithARuleSayingOtherwise) {
  for (const WriteAcl& acl : {WriteAcl::AllowAll(),
                              Parse(R"({"rules": [{"roles": ["*"], "keys": ["*"], "allow": "write"}]})")}) {
    Status s = acl.Check("cloud", kWriteAclKey);
    EXPECT_EQ(s.code(), Status::Code::kPermissionDenied);
    EXPECT_NE(s.message().find("only a certificate with role 'admin'"), std::string::npos) << s.message();
    EXPECT_TRUE(acl.Check(kAdminRole, kWriteAclKey).ok());
  }
}

TEST(WriteAclTest, MalformedDocumentsAreRefusedNamingTheProblem) {
  struct Case {
    const char* doc;
    const char* says;
  } cases[] = {
      {R"({})", "no \"rules\""},
      {R"({"rules": {}})", "must be a list"},
      {R"({"rules": [7]})", "rule 1 is not an object"},
      {R"({"rules": [{"roles": ["edge"], "keys": ["a/*"]}]})", "\"allow\" must be \"write\" or \"read\""},
      {R"({"rules": [{"roles": ["edge"], "keys": ["a/*"], "allow": "delete"}]})", "\"allow\" must be \"write\" or \"read\""},
      {R"({"rules": [{"roles": [], "keys": ["a/*"], "allow": "write"}]})", "\"roles\" must be"},
      {R"({"rules": [{"roles": ["edge"], "keys": [3], "allow": "write"}]})", "\"keys\" must be"},
      {R"({"rules": [{"roles": ["edge"], "keys": ["a"], "allow": "write", "deny": 1}]})", "unknown field \"deny\""},
  };
  for (const auto& c : cases) {
    auto acl = WriteAcl::FromDocument(json::parse(c.doc));
    ASSERT_FALSE(acl.ok()) << c.doc;
    EXPECT_NE(acl.status().message().find(c.says), std::string::npos) << acl.status().message();
  }
  // Fail closed: an unusable document leaves only the admin able to write.
  WriteAcl closed = WriteAcl::AdminOnly("bad rules");
  EXPECT_TRUE(closed.admin_only());
  EXPECT_FALSE(closed.Check("cloud", "model/x").ok());
  EXPECT_TRUE(closed.Check(kAdminRole, "model/x").ok());
}

class AttestationTest : public ::testing::Test {
 protected:
  static std::string Read(const std::filesystem::path& p) { return transport::ReadTextFile(p).value(); }
  VersionRecord Record(const std::string& author) {
    VersionRecord r;
    r.vector = VersionVector(std::map<std::string, uint64_t>{{author, 3}});
    r.hlc = 12345;
    r.author = author;
    r.manifest_id = ChunkId::Of("m", 1);
    return r;
  }
  // Options of an authority signing as `node_id` with `files`' certificate and key.
  WriteAuthorityOptions SigningAs(const std::string& node_id, const std::string& role,
                                  const transport::testing::NodeFiles& files) {
    WriteAuthorityOptions options;
    options.role = role;
    options.node_id = node_id;
    options.ca_pem = pki_.ca().cert_pem;
    options.cert_pem = files.cert_pem;
    options.key_pem = Read(files.key);
    return options;
  }
  // A store in `dir` whose local versions `authority` seals, attached to it; null on failure.
  std::unique_ptr<Store> SealedStore(WriteAuthority& authority, const std::string& node_id,
                                     const std::filesystem::path& dir) {
    StoreOptions so;
    so.path = dir;
    so.node_id = node_id;
    so.seal_local_version = [&authority](const ObjectKey& k, const VersionRecord& r) {
      return authority.SealLocal(k, r);
    };
    auto store = Store::Open(so);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return nullptr;
    authority.Attach(**store);
    return std::move(*store);
  }
  transport::testing::TestPki pki_{"acl-cluster"};
};

// Applies kFactoryRules as meta/acl written by admin-1, as if replicated; true when applied.
bool ApplyFactoryAcl(Store& store) {
  VersionRecord acl_record;
  acl_record.vector = VersionVector(std::map<std::string, uint64_t>{{"admin-1", 1}});
  acl_record.hlc = 1;
  acl_record.author = "admin-1";
  Manifest m;
  m.spec_json = json{{"kind", "meta"},
                     {"fields", {{"rules", {{"value", json::parse(kFactoryRules)["rules"]}, {"hlc", 1}, {"node", "admin-1"}}}}}}
                    .dump();
  acl_record.manifest_id = ManifestId(m.Encode());
  return store.ApplyRemote(ObjectKey::Parse("meta/acl").value(), acl_record, m).ok();
}

// An unsigned version record by `author`, as a peer would announce it.
VersionRecord RemoteRecord(const std::string& author) {
  VersionRecord r;
  r.vector = VersionVector(std::map<std::string, uint64_t>{{author, 1}});
  r.hlc = 2;
  r.author = author;
  r.manifest_id = ChunkId::Of("x", 1);
  return r;
}

TEST_F(AttestationTest, SignedVersionVerifiesWithTheAuthorsRole) {
  auto cloud = pki_.Issue("cloud-1", "cloud");
  VersionRecord r = Record("cloud-1");
  auto sealed = SealVersion("model/helmet", r, cloud.cert_pem, Read(cloud.key));
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  r.attestation = *sealed;
  AttestationVerifier verifier(pki_.ca().cert_pem);
  auto author = verifier.Author("model/helmet", r);
  ASSERT_TRUE(author.ok()) << author.status().ToString();
  EXPECT_EQ(author->node_id, "cloud-1");
  EXPECT_EQ(author->role, "cloud");
  // It survives the store's encoding (relays forward what they stored).
  auto decoded = VersionRecord::Decode(r.Encode());
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(verifier.Author("model/helmet", *decoded).ok());
  EXPECT_EQ(decoded->Id("model/m"), Record("cloud-1").Id("model/m"));  // the attestation is not part of the id
}

TEST_F(AttestationTest, ForgeriesAreRefused) {
  auto cloud = pki_.Issue("cloud-1", "cloud");
  auto edge = pki_.Issue("edge-1", "edge");
  AttestationVerifier verifier(pki_.ca().cert_pem);
  VersionRecord r = Record("cloud-1");
  r.attestation = SealVersion("model/helmet", r, cloud.cert_pem, Read(cloud.key)).value();

  // Moved to another key, or to another vector: the signature no longer matches.
  EXPECT_EQ(verifier.Author("model/other", r).status().code(), Status::Code::kPermissionDenied);
  VersionRecord bumped = r;
  bumped.vector = VersionVector(std::map<std::string, uint64_t>{{"cloud-1", 4}});
  EXPECT_EQ(verifier.Author("model/helmet", bumped).status().code(), Status::Code::kPermissionDenied);

  // An edge node attaching the (public) cloud certificate to its own signature.
  VersionRecord forged = Record("cloud-1");
  auto edge_sig = SealVersion("model/helmet", forged, edge.cert_pem, Read(edge.key)).value();
  auto j = json::parse(edge_sig);
  j["cert"] = cloud.cert_pem;
  forged.attestation = j.dump();
  auto s = verifier.Author("model/helmet", forged);
  EXPECT_EQ(s.status().code(), Status::Code::kPermissionDenied);
  EXPECT_NE(s.status().message().find("signature"), std::string::npos) << s.status().message();

  // An edge node signing honestly but claiming the cloud as author.
  VersionRecord claimed = Record("cloud-1");
  claimed.attestation = SealVersion("model/helmet", claimed, edge.cert_pem, Read(edge.key)).value();
  s = verifier.Author("model/helmet", claimed);
  EXPECT_NE(s.status().message().find("belongs to node 'edge-1'"), std::string::npos) << s.status().message();

  // A certificate from another cluster's CA.
  transport::testing::TestPki other("other-cluster");
  auto stranger = other.Issue("cloud-1", "cloud");
  VersionRecord foreign = Record("cloud-1");
  foreign.attestation = SealVersion("model/helmet", foreign, stranger.cert_pem, Read(stranger.key)).value();
  s = verifier.Author("model/helmet", foreign);
  EXPECT_EQ(s.status().code(), Status::Code::kPermissionDenied);

  // Garbage, and no attestation at all.
  VersionRecord garbage = Record("cloud-1");
  garbage.attestation = "{not json";
  EXPECT_EQ(verifier.Author("model/helmet", garbage).status().code(), Status::Code::kPermissionDenied);
  EXPECT_TRUE(verifier.Author("model/helmet", Record("cloud-1")).status().IsNotFound());
}

TEST_F(AttestationTest, AuthorityDecidesByTheSignedAuthorElseByTheSender) {
  auto cloud = pki_.Issue("cloud-1", "cloud");
  auto edge = pki_.Issue("edge-1", "edge");
  // An authority as an edge node sees it, with the factory rules loaded through a real store.
  edgesync::testing::TempDir dir;
  WriteAuthorityOptions options;
  options.role = "edge";
  options.ca_pem = pki_.ca().cert_pem;
  options.cert_pem = edge.cert_pem;
  options.key_pem = Read(edge.key);
  std::vector<std::string> logged;
  options.log = [&](int, const std::string& m) { logged.push_back(m); };
  WriteAuthority authority(options);
  StoreOptions so;
  so.path = dir.path();
  so.node_id = "edge-1";
  so.seal_local_version = [&](const ObjectKey& k, const VersionRecord& r) { return authority.SealLocal(k, r); };
  auto store = Store::Open(so);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  authority.Attach(**store);
  ASSERT_FALSE(logged.empty());
  EXPECT_NE(logged.back().find("WRITE ACL NOT ENFORCED"), std::string::npos) << logged.back();

  // No ACL yet: this edge node may write anything (unsigned: nobody checks), but not install an ACL.
  auto early = (*store)->PutFiles(ObjectKey::Parse("model/early").value(), {}, "{}");
  ASSERT_TRUE(early.ok()) << early.status().ToString();
  EXPECT_TRUE(early->record.attestation.empty());
  auto key = ObjectKey::Parse("meta/acl").value();
  auto put = (*store)->PutFiles(key, {}, R"({"kind":"meta","fields":{}})");
  EXPECT_EQ(put.status().code(), Status::Code::kPermissionDenied) << put.status().ToString();
  EXPECT_TRUE((*store)->Latest(key).status().IsNotFound());

  // An ACL arriving from an admin applies at once (ApplyRemote commits, the listener reloads).
  ASSERT_TRUE(ApplyFactoryAcl(**store));
  EXPECT_TRUE(authority.acl().enforced()) << authority.acl().Describe();

  // Local: refused before anything becomes visible.
  auto model = ObjectKey::Parse("model/helmet").value();
  auto refused = (*store)->PutFiles(model, {}, "{}");
  EXPECT_EQ(refused.status().code(), Status::Code::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("allows roles cloud"), std::string::npos) << refused.status().message();
  EXPECT_TRUE((*store)->Latest(model).status().IsNotFound());
  auto stats = ObjectKey::Parse("meta/edge-stats/edge-1").value();
  auto allowed = (*store)->PutFiles(stats, {}, R"({"kind":"meta","fields":{}})");
  ASSERT_TRUE(allowed.ok()) << allowed.status().ToString();
  EXPECT_FALSE(allowed->record.attestation.empty());  // signed by this node

  // Remote: a signed cloud version is admitted even when an edge peer relays it ...
  VersionRecord r = RemoteRecord("cloud-1");
  VersionRecord signed_r = r;
  signed_r.attestation = SealVersion("model/helmet", r, cloud.cert_pem, Read(cloud.key)).value();
  EXPECT_TRUE(authority.AdmitRemote("model/helmet", signed_r, "edge").ok());
  // ... an unsigned one counts with the sender's role ...
  EXPECT_TRUE(authority.AdmitRemote("model/helmet", r, "cloud").ok());
  Status s = authority.AdmitRemote("model/helmet", r, "edge");
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied);
  EXPECT_NE(s.message().find("by cloud-1 (vouched for by the sending peer)"), std::string::npos) << s.message();
  // ... a version signed by an edge author is refused whoever relays it ...
  VersionRecord by_edge = r;
  by_edge.author = "edge-1";
  by_edge.attestation = SealVersion("model/helmet", by_edge, edge.cert_pem, Read(edge.key)).value();
  s = authority.AdmitRemote("model/helmet", by_edge, "cloud");
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied);
  EXPECT_NE(s.message().find("signed by its author"), std::string::npos) << s.message();
  // ... and a bad attestation is refused even from a permitted sender.
  VersionRecord broken = signed_r;
  broken.hlc = 3;
  s = authority.AdmitRemote("model/helmet", broken, "cloud");
  EXPECT_NE(s.message().find("attestation is invalid"), std::string::npos) << s.message();
}

// After a credential reload (a renewed certificate), versions are signed with the new one.
TEST_F(AttestationTest, ARenewedCertificateSignsFromTheUpdateOn) {
  auto first = pki_.Issue("admin-1", "admin");
  auto renewed = pki_.Issue("admin-1", "admin");
  edgesync::testing::TempDir dir;
  WriteAuthority authority(SigningAs("admin-1", "admin", first));
  std::unique_ptr<Store> store = SealedStore(authority, "admin-1", dir.path());
  ASSERT_NE(store, nullptr);
  const auto key = ObjectKey::Parse("meta/acl").value();
  auto signer = [&](const std::string& body) {
    auto put = store->PutFiles(key, {}, body);
    EXPECT_TRUE(put.ok()) << put.status().ToString();
    return put.ok() ? nlohmann::json::parse(put->record.attestation).value("cert", "") : std::string();
  };
  EXPECT_EQ(signer(R"({"kind":"meta","fields":{"rules":[]}})"), first.cert_pem);
  authority.UpdateSigningIdentity(renewed.cert_pem, Read(renewed.key));
  const std::string narrower =
      R"({"kind":"meta","fields":{"rules":[{"roles":["cloud"],"keys":["*"],"allow":"write"}]}})";
  EXPECT_EQ(signer(narrower), renewed.cert_pem);
}

TEST(NodeOwnedDocumentTest, OnlyTheNamedNodeWritesItWhateverTheRules) {
  EXPECT_EQ(NodeOwnerOf("meta/deployments/edge-1"), "edge-1");
  EXPECT_EQ(NodeOwnerOf("meta/nodes/edge-1"), "edge-1");
  EXPECT_EQ(NodeOwnerOf("meta/deployments"), "");
  EXPECT_EQ(NodeOwnerOf("meta/releases"), "");
  EXPECT_EQ(NodeOwnerOf("model/deployments/edge-1"), "");
  EXPECT_EQ(NodeOwnerOf("meta/policy/edge-1"), "");

  auto acl = WriteAcl::FromDocument(json::parse(R"({"rules": [{"roles": ["*"], "keys": ["meta/*"], "allow": "write"}]})"));
  ASSERT_TRUE(acl.ok()) << acl.status().ToString();
  // The rules would let any role write meta/*; a node-owned document still takes its node.
  EXPECT_TRUE(acl->CheckWriter("edge", "edge-1", "meta/deployments/edge-1").ok());
  Status other = acl->CheckWriter("cloud", "cloud-1", "meta/deployments/edge-1");
  EXPECT_EQ(other.code(), Status::Code::kPermissionDenied);
  EXPECT_NE(other.message().find("node edge-1's own document"), std::string::npos) << other.message();
  EXPECT_EQ(acl->CheckWriter("admin", "", "meta/deployments/edge-1").code(), Status::Code::kPermissionDenied);
  // Without a rule covering meta/, the owner still writes its own document.
  auto narrow = WriteAcl::FromDocument(json::parse(R"({"rules": [{"roles": ["cloud"], "keys": ["model/*"], "allow": "write"}]})"));
  ASSERT_TRUE(narrow.ok());
  EXPECT_TRUE(narrow->CheckWriter("edge", "edge-1", "meta/deployments/edge-1").ok());
  EXPECT_FALSE(narrow->CheckWriter("edge", "edge-1", "meta/releases").ok());
}

TEST_F(AttestationTest, ANodeOwnedDocumentIsAdmittedOnlySignedByItsNode) {
  auto edge = pki_.Issue("edge-1", "edge");
  auto other = pki_.Issue("edge-2", "edge");
  edgesync::testing::TempDir dir;
  WriteAuthority authority(SigningAs("edge-1", "edge", edge));
  std::unique_ptr<Store> store = SealedStore(authority, "edge-1", dir.path());
  ASSERT_NE(store, nullptr);

  // Locally, even with no ACL: this node writes its own document and not another node's.
  const std::string spec = R"({"kind":"meta","fields":{}})";
  EXPECT_TRUE(store->PutFiles(ObjectKey::Parse("meta/deployments/edge-1").value(), {}, spec).ok());
  auto foreign = store->PutFiles(ObjectKey::Parse("meta/deployments/edge-2").value(), {}, spec);
  EXPECT_EQ(foreign.status().code(), Status::Code::kPermissionDenied) << foreign.status().ToString();
  EXPECT_TRUE(store->Latest(ObjectKey::Parse("meta/deployments/edge-2").value()).status().IsNotFound());

  // With an ACL in force, a received one must be signed by the node it names.
  ASSERT_TRUE(ApplyFactoryAcl(*store));
  ASSERT_TRUE(authority.acl().enforced());
  VersionRecord r = RemoteRecord("edge-2");
  VersionRecord by_owner = r;
  by_owner.attestation = SealVersion("meta/deployments/edge-2", r, other.cert_pem, Read(other.key)).value();
  EXPECT_TRUE(authority.AdmitRemote("meta/deployments/edge-2", by_owner, "cloud").ok());
  // Unsigned: no sender may vouch for another node's report, not even an admin.
  Status s = authority.AdmitRemote("meta/deployments/edge-2", r, "admin");
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied);
  EXPECT_NE(s.message().find("not verified"), std::string::npos) << s.message();
  // Signed by another node: refused.
  VersionRecord by_edge1 = r;
  by_edge1.author = "edge-1";
  by_edge1.attestation = SealVersion("meta/deployments/edge-2", by_edge1, edge.cert_pem, Read(edge.key)).value();
  s = authority.AdmitRemote("meta/deployments/edge-2", by_edge1, "edge");
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied);
  EXPECT_NE(s.message().find("node edge-1 may not write"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace edgesync::replication
