// Read rules: parsing the "allow": "read" rules of meta/acl (ReadAcl), matching readers by
// certified role and labels, the open default, failing closed, and the write ACL reading the
// same document without tripping over them.
#include "replication/read_acl.h"

#include <gtest/gtest.h>

#include "replication/write_acl.h"

namespace edgesync::replication {
namespace {

using nlohmann::json;

const char* kSites = R"({"rules": [
  {"roles": ["*"], "keys": ["*"], "allow": "write"},
  {"roles": ["*"], "keys": ["model/*", "meta/*"], "allow": "read"},
  {"roles": ["cloud"], "keys": ["*"], "allow": "read"},
  {"labels": {"site": "a"}, "keys": ["dataset/site-a/*"], "allow": "read"},
  {"roles": ["edge"], "labels": {"site": "b", "tier": "gpu"}, "keys": ["dataset/site-b/*"], "allow": "read"}]})";

ReadAcl Parse(const std::string& text) {
  auto acl = ReadAcl::FromDocument(json::parse(text));
  EXPECT_TRUE(acl.ok()) << acl.status().ToString();
  return acl.ok() ? *acl : ReadAcl::Closed("test");
}

CertifiedReader Edge(std::map<std::string, std::string> labels) { return {"edge-1", "edge", std::move(labels)}; }

TEST(ReadAclTest, RolesAndCertifiedLabelsGrantMatchingKeysOnly) {
  ReadAcl acl = Parse(kSites);
  EXPECT_TRUE(acl.enforced());
  EXPECT_EQ(acl.Describe(), "4 read rule(s) from meta/acl");
  const CertifiedReader a = Edge({{"site", "a"}});
  EXPECT_TRUE(acl.Check(a, "model/helmet").ok());
  EXPECT_TRUE(acl.Check(a, "meta/nodes/edge-9").ok());
  EXPECT_TRUE(acl.Check(a, "dataset/site-a/frames").ok());
  Status s = acl.Check(a, "dataset/site-b/frames");
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied);
  EXPECT_NE(s.message().find("node edge-1 (role 'edge', site=a) may not read dataset/site-b/frames"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("no read rule of meta/acl grants it"), std::string::npos) << s.message();
  // Every label of a rule must be certified with its value, and its roles must list the reader.
  EXPECT_FALSE(acl.Check(Edge({{"site", "b"}}), "dataset/site-b/frames").ok());
  EXPECT_TRUE(acl.Check(Edge({{"site", "b"}, {"tier", "gpu"}}), "dataset/site-b/frames").ok());
  EXPECT_FALSE(acl.Check({"cloud-9", "relay", {{"site", "b"}, {"tier", "gpu"}}}, "dataset/site-b/frames").ok());
  EXPECT_FALSE(acl.Check(Edge({{"site", "A"}}), "dataset/site-a/frames").ok());
  // Unlabelled readers get what roles grant.
  EXPECT_TRUE(acl.Check({"cloud-1", "cloud", {}}, "dataset/site-b/frames").ok());
  EXPECT_FALSE(acl.Check(Edge({}), "dataset/site-a/frames").ok());
}

TEST(ReadAclTest, TheAclDocumentIsAlwaysReadable) {
  ReadAcl acl = Parse(R"({"rules": [{"roles": ["cloud"], "keys": ["model/*"], "allow": "read"}]})");
  EXPECT_TRUE(acl.Check(Edge({}), kWriteAclKey).ok());
  EXPECT_FALSE(acl.Check(Edge({}), "meta/other").ok());
  ReadAcl closed = ReadAcl::Closed("broken");
  EXPECT_TRUE(closed.Check(Edge({}), kWriteAclKey).ok());
  Status s = closed.Check({"cloud-1", "cloud", {}}, "model/helmet");
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied);
  EXPECT_NE(s.message().find("unusable (broken)"), std::string::npos) << s.message();
}

TEST(ReadAclTest, NoReadRuleMeansEveryNodeReadsEverything) {
  for (const char* text : {R"({"rules": []})", R"({"rules": [{"roles": ["cloud"], "keys": ["model/*"], "allow": "write"}]})"}) {
    ReadAcl acl = Parse(text);
    EXPECT_FALSE(acl.enforced()) << text;
    EXPECT_TRUE(acl.Check(Edge({}), "dataset/site-b/frames").ok()) << text;
  }
  EXPECT_FALSE(ReadAcl::Open().enforced());
  EXPECT_NE(ReadAcl::Open().Describe().find("every node may read every key"), std::string::npos);
}

TEST(ReadAclTest, MalformedReadRulesAreRefusedNamingTheRule) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"rules": [{"keys": ["model/*"], "allow": "read"}]})", "rule 1: a read rule needs \"roles\", \"labels\""},
      {R"({"rules": [{"roles": ["*"], "allow": "read"}]})", "rule 1: \"keys\""},
      {R"({"rules": [{"roles": ["*"], "keys": ["*"], "allow": "write"},
                     {"labels": {"site": 3}, "keys": ["*"], "allow": "read"}]})", "rule 2: \"labels\""},
      {R"({"rules": [{"labels": {}, "keys": ["*"], "allow": "read"}]})", "rule 1: \"labels\""},
      {R"({"rules": [{"roles": ["*"], "keys": ["*"], "allow": "read", "nodes": ["x"]}]})", "unknown field \"nodes\""},
      {R"({"rulez": []})", "has no \"rules\" field"},
  };
  for (const auto& [text, expected] : cases) {
    auto acl = ReadAcl::FromDocument(json::parse(text));
    ASSERT_FALSE(acl.ok()) << text;
    EXPECT_NE(acl.status().message().find(expected), std::string::npos) << acl.status().message();
  }
}

TEST(ReadAclTest, WriteAclSkipsReadRulesAndNamesRulesByTheirPlaceInTheDocument) {
  auto write = WriteAcl::FromDocument(json::parse(R"({"rules": [
    {"labels": {"site": "a"}, "keys": ["dataset/site-a/*"], "allow": "read"},
    {"roles": ["cloud"], "keys": ["model/*"], "allow": "write"}]})"));
  ASSERT_TRUE(write.ok()) << write.status().ToString();
  EXPECT_EQ(write->rules().size(), 1u);
  Status s = write->Check("edge", "model/helmet");
  EXPECT_NE(s.message().find("rule 2 (keys model/*) allows roles cloud"), std::string::npos) << s.message();
  // A document of read rules only is still a write ACL: it allows no ordinary write.
  auto reads_only = WriteAcl::FromDocument(json::parse(R"({"rules": [{"roles": ["*"], "keys": ["*"], "allow": "read"}]})"));
  ASSERT_TRUE(reads_only.ok());
  EXPECT_TRUE(reads_only->enforced());
  EXPECT_FALSE(reads_only->Check("cloud", "model/helmet").ok());
  // "labels" belongs to read rules only.
  EXPECT_FALSE(WriteAcl::FromDocument(
                   json::parse(R"({"rules": [{"roles": ["*"], "labels": {"site": "a"}, "keys": ["*"], "allow": "write"}]})"))
                   .ok());
}

}  // namespace
}  // namespace edgesync::replication
