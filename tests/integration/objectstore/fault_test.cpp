// Faults between the client and s3rver (or an external server, s3rver_server.h), injected by
// HttpFaultFront: 503 SlowDown and 500 InternalError are retried with backoff (and give a clear
// error once the tries run out), and a connection cut in the middle of an object resumes from
// the next byte with identical bytes.
#include <gtest/gtest.h>

#include <chrono>

#include "objectstore/object_reader.h"
#include "objectstore/object_url.h"
#include "objectstore/s3_client.h"
#include "tests/integration/objectstore/http_fault_front.h"
#include "tests/support/s3rver_server.h"
#include "tests/integration/objectstore/test_helpers.h"
#include "tests/support/temp_dir.h"

namespace edgesync::objectstore {
namespace {

using testing::AppendTo;
using testing::HttpFault;
using testing::HttpFaultFront;
using testing::S3rverServer;

class FaultTest : public ::testing::Test {
 protected:
  static HttpLimits FastRetries(int attempts = 5) {
    HttpLimits limits;
    limits.retry = {.max_attempts = attempts,
                    .base_delay = std::chrono::milliseconds(20),
                    .max_delay = std::chrono::milliseconds(200)};
    return limits;
  }

  S3rverServer server_;
  std::unique_ptr<S3Client> direct_ = server_.Client();
  HttpFaultFront front_{server_.port()};
  std::unique_ptr<S3Client> client_ = server_.Client(FastRetries(), front_.port());
  const std::string bucket_ = server_.bucket();
};

TEST_F(FaultTest, SlowDownAndInternalErrorAreRetried) {
  std::string data = ::edgesync::testing::RandomBytes(300000, 30);
  front_.SetFault({.method = "PUT", .fail_count = 2, .status = 500, .code = "InternalError"});
  ASSERT_TRUE(client_->Put(bucket_, "retried", data, {}).ok());
  EXPECT_EQ(front_.failed(), 2);

  front_.SetFault({.method = "GET", .fail_count = 3, .status = 503, .code = "SlowDown"});
  std::string back;
  Result<ObjectInfo> got = client_->Get(bucket_, "retried", {}, AppendTo(&back));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(front_.failed(), 3);
  EXPECT_TRUE(back == data) << "an error body reached the sink";

  front_.SetFault({.method = "HEAD", .fail_count = 1, .status = 503, .code = "SlowDown"});
  EXPECT_TRUE(client_->Head(bucket_, "retried").ok());
}

TEST_F(FaultTest, RetriesAreBoundedAndTheErrorIsClear) {
  std::unique_ptr<S3Client> client = server_.Client(FastRetries(3), front_.port());
  front_.SetFault({.fail_count = 1000, .status = 503, .code = "SlowDown"});
  auto start = std::chrono::steady_clock::now();
  Result<ObjectInfo> head = client->Head(bucket_, "anything");
  Status put = client->Put(bucket_, "anything", "v", {}).status();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(front_.failed(), 6) << "three tries each";
  EXPECT_EQ(put.code(), Status::Code::kIoError);
  EXPECT_NE(put.message().find("s3://" + bucket_ + "/anything: the server kept failing (HTTP 503 SlowDown"),
            std::string::npos)
      << put.message();
  EXPECT_NE(put.message().find("after 3 attempts"), std::string::npos) << put.message();
  EXPECT_EQ(head.status().code(), Status::Code::kIoError) << head.status().ToString();
}

TEST_F(FaultTest, ConnectionCutMidObjectResumesWithIdenticalBytes) {
  std::string data = ::edgesync::testing::RandomBytes(20 << 20, 31);
  ASSERT_TRUE(direct_->Put(bucket_, "cut", data, {}).ok());

  // One GET of the whole object, cut twice.
  front_.SetFault({.method = "GET", .cut_count = 2, .cut_after = 3 << 20});
  std::string back;
  Result<ObjectInfo> got = client_->Get(bucket_, "cut", {}, AppendTo(&back));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(front_.cut(), 2);
  EXPECT_TRUE(back == data) << back.size() << " bytes of " << data.size();

  // The parallel reader: three of its ranged GETs cut after 1 MiB.
  front_.SetFault({.method = "GET", .cut_count = 3, .cut_after = 1 << 20});
  Result<std::unique_ptr<RangedObject>> object =
      OpenRangedObject(*ObjectUrl::Parse("s3://" + bucket_ + "/cut"), client_.get(), {});
  ASSERT_TRUE(object.ok());
  back.clear();
  Status status = ReadObject(**object, AppendTo(&back), {.part_size = 8 << 20, .parallel = 3});
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(front_.cut(), 3);
  EXPECT_TRUE(back == data) << back.size() << " bytes of " << data.size();
}

TEST_F(FaultTest, ResumeAfterTheObjectChangedIsRefused) {
  std::string first = ::edgesync::testing::RandomBytes(6 << 20, 32);
  ASSERT_TRUE(direct_->Put(bucket_, "swap", first, {}).ok());
  front_.SetFault({.method = "GET", .cut_count = 1, .cut_after = 1 << 20});
  std::string back;
  bool swapped = false;
  Result<ObjectInfo> got = client_->Get(bucket_, "swap", {}, [&](std::string_view bytes) {
    back.append(bytes);
    if (!swapped) {
      swapped = true;
      Status put = direct_->Put(bucket_, "swap", ::edgesync::testing::RandomBytes(6 << 20, 33), {}).status();
      EXPECT_TRUE(put.ok()) << put.ToString();
    }
    return Status::Ok();
  });
  EXPECT_EQ(got.status().code(), Status::Code::kAborted) << got.status().ToString();
  EXPECT_NE(got.status().message().find("changed during the read"), std::string::npos);
  // The first answer came from the first version, so only a resumed request can have seen the
  // change. It was resumed after the front's cut, or earlier: s3rver may end the answer it was
  // streaming itself when the object under it is replaced.
  EXPECT_LE(front_.cut(), 1);
}

}  // namespace
}  // namespace edgesync::objectstore
