#include "syncd/join/join_request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"

namespace edgesync {
namespace {

using nlohmann::json;

class JoinRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = transport::CreateClusterCa("factory");
    ASSERT_TRUE(ca.ok());
    ca_ = *ca;
    auto store = JoinTokenStore::Open(dir_.path() / "tokens.json");
    ASSERT_TRUE(store.ok());
    tokens_ = std::move(*store);
  }

  std::string Request(const std::string& token, const std::string& node_id, const std::string& role) {
    auto request = transport::CreateNodeKeyRequest(node_id, role);
    EXPECT_TRUE(request.ok());
    return json{{"token", token}, {"csr", request->csr_pem}}.dump();
  }

  std::string Issue(const std::string& role) {
    auto issued = tokens_->Issue({role, {{"site", "a"}}, 30}, std::chrono::minutes(5));
    EXPECT_TRUE(issued.ok());
    return issued->token;
  }

  testing::TempDir dir_;
  transport::ClusterCa ca_;
  std::unique_ptr<JoinTokenStore> tokens_;
};

TEST_F(JoinRequestTest, ATokenGrantsOneCertificateForItsRole) {
  const std::string token = Issue("edge");
  JoinAnswer answer = AnswerJoinRequest(Request(token, "edge-9", "edge"), *tokens_, ca_);
  ASSERT_FALSE(answer.refusal) << *answer.refusal;
  json parsed = json::parse(answer.line);
  EXPECT_TRUE(transport::VerifyNodeCertificate(ca_.cert_pem, parsed["cert"]).ok());
  EXPECT_EQ(parsed["labels"]["site"], "a");
  EXPECT_EQ(answer.node_id, "edge-9");

  answer = AnswerJoinRequest(Request(token, "edge-10", "edge"), *tokens_, ca_);
  ASSERT_TRUE(answer.refusal);
  EXPECT_NE(answer.refusal->find("already used"), std::string::npos);
}

TEST_F(JoinRequestTest, UsedTokensStayUsedAcrossAReopen) {
  const std::string token = Issue("cloud");
  ASSERT_FALSE(AnswerJoinRequest(Request(token, "c1", "cloud"), *tokens_, ca_).refusal);
  auto reopened = JoinTokenStore::Open(dir_.path() / "tokens.json");
  ASSERT_TRUE(reopened.ok());
  EXPECT_FALSE((*reopened)->Redeem(token, "cloud").ok());
}

TEST_F(JoinRequestTest, GarbageGetsAReasonNeverACrash) {
  const std::string token = Issue("edge");
  for (const std::string& bad :
       {std::string("not json"), std::string("[]"), std::string("{\"token\": 1, \"csr\": \"x\"}"),
        std::string(100000, '['), json{{"token", token}, {"csr", "garbage"}}.dump(),
        json{{"token", token}, {"csr", std::string(20000, 'A')}}.dump(),
        json{{"token", std::string(5000, 'e')}, {"csr", "x"}}.dump()}) {
    JoinAnswer answer = AnswerJoinRequest(bad, *tokens_, ca_);
    ASSERT_TRUE(answer.refusal) << bad.substr(0, 80);
    EXPECT_FALSE(json::parse(answer.line)["ok"].get<bool>());
  }
  EXPECT_NE(AnswerJoinRequest("{}", *tokens_, ca_).refusal->find("malformed"), std::string::npos);
  // None of that used the token up.
  EXPECT_FALSE(AnswerJoinRequest(Request(token, "e1", "edge"), *tokens_, ca_).refusal);
}

TEST_F(JoinRequestTest, IssueChecksItsLimits) {
  EXPECT_FALSE(tokens_->Issue({"edge", {}, 365}, std::chrono::milliseconds(0)).ok());
  EXPECT_FALSE(tokens_->Issue({"edge", {}, 365}, std::chrono::hours(24 * 8)).ok());
  EXPECT_FALSE(tokens_->Issue({"bad role!", {}, 365}, std::chrono::hours(1)).ok());
  EXPECT_FALSE(tokens_->Issue({"edge", {}, 0}, std::chrono::hours(1)).ok());
}

}  // namespace
}  // namespace edgesync
