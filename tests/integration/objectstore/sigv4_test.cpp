// libcurl's SigV4 signatures, as S3Client sends them, checked by AWS's own signer: s3rver does
// not verify signatures, so the requests go through sigv4_verifier.py (botocore), which
// refuses a bad signature or body hash as S3 does and forwards the rest to s3rver (or to an
// external server, s3rver_server.h, which checks them a second time).
#include <gtest/gtest.h>
#include <unistd.h>

#include "objectstore/s3_client.h"
#include "tests/support/s3rver_server.h"
#include "tests/integration/objectstore/test_helpers.h"
#include "tests/support/poll_until.h"
#include "tests/support/process_runner.h"
#include "tests/support/temp_dir.h"

namespace edgesync::objectstore {
namespace {

using testing::AppendTo;
using testing::S3rverServer;

class SigV4Test : public ::testing::Test {
 protected:
  SigV4Test() {
    port_ = testing::FreePort();
    verifier_ = std::make_unique<::edgesync::testing::BackgroundProcess>(
        std::vector<std::string>{SYSTEM_PYTHON, SIGV4_VERIFIER, std::to_string(port_),
                                 std::to_string(server_.port()), std::to_string(getpid())},
        dir_ / "verifier.out", dir_ / "verifier.err",
        std::vector<std::string>{"SIGV4_SECRET=" + server_.secret()});
    bool up = ::edgesync::testing::PollUntil(
        [&] {
          // Up once it answers; a HEAD on a missing key is cheap and unsigned: 404 from s3rver,
          // 403 from a server that refuses anonymous requests.
          HttpLimits once;
          once.retry.max_attempts = 1;
          S3Config config = server_.Config(port_);
          config.credentials = {};
          Status probe = S3Client::Create(config, once).value()->Head(server_.bucket(), "probe").status();
          return probe.IsNotFound() || probe.code() == Status::Code::kPermissionDenied;
        },
        std::chrono::seconds(30), std::chrono::milliseconds(50));
    EXPECT_TRUE(up) << ::edgesync::testing::ReadFileText(dir_ / "verifier.err");
  }

  std::unique_ptr<S3Client> Client(const std::string& secret, const std::string& token = "") {
    S3Config config = server_.Config(port_);
    config.region = "eu-west-1";
    config.credentials.secret_access_key = secret;
    config.credentials.session_token = token;
    return S3Client::Create(config).value();
  }

  ::edgesync::testing::TempDir dir_;
  S3rverServer server_;
  uint16_t port_ = 0;
  std::unique_ptr<::edgesync::testing::BackgroundProcess> verifier_;
  const std::string bucket_ = server_.bucket();
};

TEST_F(SigV4Test, EveryOperationIsSignedAsAwsSigns) {
  std::unique_ptr<S3Client> client = Client(server_.secret(), "session/token+with=odd chars");
  // A key and a query that need SigV4's encoding: spaces, '+', '=', '~', UTF-8.
  const std::string key = "dir/a b+c=d~\xc3\xa9.txt";
  ASSERT_TRUE(client->Put(bucket_, key, "hello signed world", {{"edgesync-version", "v 1"}}).ok());
  Result<ObjectInfo> head = client->Head(bucket_, key);
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->metadata["edgesync-version"], "v 1");
  std::string range;
  Result<ObjectInfo> got = client->Get(bucket_, key, {.offset = 6, .length = 6}, AppendTo(&range));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(range, "signed");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client->Put(bucket_, "dir/p" + std::to_string(i), "x", {}).ok());
  Result<std::vector<ObjectInfo>> listed = client->List(bucket_, "dir/", 2);  // a continuation token too
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(listed->size(), 4u);

  Result<std::string> id = client->CreateMultipartUpload(bucket_, "mp/x y", {{"mode", "755"}});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  std::string part = ::edgesync::testing::RandomBytes(5 << 20, 50);
  Result<std::string> etag = client->UploadPart(bucket_, "mp/x y", *id, 1, part);
  ASSERT_TRUE(etag.ok()) << etag.status().ToString();
  Result<std::string> done = client->CompleteMultipartUpload(bucket_, "mp/x y", *id, {{1, *etag}});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_TRUE(client->Delete(bucket_, "dir/p0").ok());
}

TEST_F(SigV4Test, WrongSecretIsPermissionDeniedWithoutTheSecret) {
  std::unique_ptr<S3Client> client = Client("not-the-secret-never-shown");
  for (const Status& status :
       {client->Put(bucket_, "k", "v", {}).status(), client->List(bucket_, "").status()}) {
    EXPECT_EQ(status.code(), Status::Code::kPermissionDenied) << status.ToString();
    EXPECT_NE(status.message().find("SignatureDoesNotMatch"), std::string::npos) << status.message();
    EXPECT_EQ(status.message().find("not-the-secret-never-shown"), std::string::npos) << status.message();
  }
  // HEAD answers carry no body: the status alone says it.
  EXPECT_EQ(client->Head(bucket_, "k").status().code(), Status::Code::kPermissionDenied);
}

}  // namespace
}  // namespace edgesync::objectstore
