// ReadObject against s3rver (or an external server, s3rver_server.h): parallel ranged reads in
// order, an object replaced during the read, plain http(s) sources, cancellation.
#include "objectstore/object_reader.h"

#include <gtest/gtest.h>

#include "objectstore/object_url.h"
#include "tests/integration/objectstore/s3cmd_runner.h"
#include "tests/support/s3rver_server.h"
#include "tests/integration/objectstore/test_helpers.h"
#include "tests/support/temp_dir.h"

namespace edgesync::objectstore {
namespace {

using testing::AppendTo;
using testing::S3rverServer;

class ObjectReaderTest : public ::testing::Test {
 protected:
  std::unique_ptr<RangedObject> Open(const std::string& url, bool allow_insecure_http = false) {
    Result<ObjectUrl> parsed = ObjectUrl::Parse(url);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    Result<std::unique_ptr<RangedObject>> object =
        OpenRangedObject(*parsed, client_.get(), {.allow_insecure_http = allow_insecure_http});
    EXPECT_TRUE(object.ok()) << object.status().ToString();
    return object.ok() ? std::move(*object) : nullptr;
  }

  S3rverServer server_;
  std::unique_ptr<S3Client> client_ = server_.Client();
  const std::string bucket_ = server_.bucket();
  const std::string url_ = "s3://" + bucket_ + "/";  // + key
};

TEST_F(ObjectReaderTest, ParallelRangedReadEqualsTheObject) {
  std::string data = ::edgesync::testing::RandomBytes((40 << 20) + 12345, 7);
  ASSERT_TRUE(client_->Put(bucket_, "large/object.bin", data, {}).ok());
  std::unique_ptr<RangedObject> object = Open(url_ + "large/object.bin");
  std::string back;
  uint64_t last_done = 0, calls = 0, total = 0;
  ReadOptions options{.part_size = 4 << 20, .parallel = 4, .progress = [&](uint64_t done, uint64_t all) {
                        EXPECT_GE(done, last_done);
                        last_done = done;
                        total = all;
                        ++calls;
                      }};
  Status status = ReadObject(*object, AppendTo(&back), options);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(back == data) << "bytes differ (" << back.size() << " read of " << data.size() << ")";
  EXPECT_EQ(last_done, data.size());
  EXPECT_EQ(total, data.size());
  EXPECT_EQ(calls, 12u) << "one call at the start and one per part";
}

TEST_F(ObjectReaderTest, SmallObjectAndEmptyObject) {
  ASSERT_TRUE(client_->Put(bucket_, "small", "hello", {}).ok());
  ASSERT_TRUE(client_->Put(bucket_, "empty", "", {}).ok());
  std::string back;
  ASSERT_TRUE(ReadObject(*Open(url_ + "small"), AppendTo(&back)).ok());
  EXPECT_EQ(back, "hello");
  back.clear();
  ASSERT_TRUE(ReadObject(*Open(url_ + "empty"), AppendTo(&back)).ok());
  EXPECT_EQ(back, "");
}

TEST_F(ObjectReaderTest, ObjectReplacedDuringTheReadIsRefused) {
  std::string first = ::edgesync::testing::RandomBytes(24 << 20, 8);
  std::string second = ::edgesync::testing::RandomBytes(24 << 20, 9);
  ASSERT_TRUE(client_->Put(bucket_, "changing", first, {}).ok());
  std::unique_ptr<RangedObject> object = Open(url_ + "changing");
  bool replaced = false;
  uint64_t delivered = 0;
  // With two parts in flight, the third part is fetched only after the first is delivered,
  // so it is asked for after the replacement.
  Status status = ReadObject(*object,
                             [&](std::string_view bytes) {
                               delivered += bytes.size();
                               if (!replaced) {
                                 replaced = true;
                                 EXPECT_TRUE(client_->Put(bucket_, "changing", second, {}).ok());
                               }
                               return Status::Ok();
                             },
                             {.part_size = 4 << 20, .parallel = 2});
  EXPECT_EQ(status.code(), Status::Code::kAborted) << status.ToString();
  EXPECT_NE(status.message().find(url_ + "changing changed during the read"), std::string::npos)
      << status.message();
  EXPECT_LT(delivered, first.size());
}

TEST_F(ObjectReaderTest, HttpSourceNeedsAllowInsecureAndReadsInParallel) {
  // s3rver serves objects to unsigned GETs, so the same object is a plain http:// source too.
  std::string data = ::edgesync::testing::RandomBytes((10 << 20) + 1, 10);
  ASSERT_TRUE(client_->Put(bucket_, "public/data.bin", data, {}).ok());
  if (server_.external()) {
    // Others (RGW, S3) need public-read ACLs, which S3Client does not set: s3cmd does. The
    // bucket's lets anonymous requests tell a missing object (404) from a forbidden one (403).
    ::edgesync::testing::TempDir config_dir;
    testing::S3cmdRunner s3cmd(server_, config_dir.path());
    for (const std::string& target : {url_, url_ + "public/data.bin"}) {
      ::edgesync::testing::ProcessResult acl = s3cmd.Run({"setacl", "--acl-public", target});
      ASSERT_EQ(acl.exit_code, 0) << acl.out << acl.err;
    }
  }
  std::string url = server_.endpoint() + "/" + bucket_ + "/public/data.bin";

  Result<std::unique_ptr<RangedObject>> refused = OpenRangedObject(*ObjectUrl::Parse(url), nullptr, {});
  EXPECT_EQ(refused.status().code(), Status::Code::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("http:// is refused"), std::string::npos);

  std::string back;
  Status status = ReadObject(*Open(url, true), AppendTo(&back), {.part_size = 1 << 20, .parallel = 3});
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(back == data);

  Status missing =
      ReadObject(*Open(server_.endpoint() + "/" + bucket_ + "/public/none", true), AppendTo(&back));
  EXPECT_EQ(missing.code(), Status::Code::kNotFound) << missing.ToString();
  EXPECT_NE(missing.message().find("/" + bucket_ + "/public/none"), std::string::npos);
}

TEST_F(ObjectReaderTest, CancelStopsTheRead) {
  std::string data = ::edgesync::testing::RandomBytes(16 << 20, 11);
  ASSERT_TRUE(client_->Put(bucket_, "cancelled", data, {}).ok());
  uint64_t delivered = 0;
  Status status =
      ReadObject(*Open(url_ + "cancelled"),
                 [&](std::string_view bytes) {
                   delivered += bytes.size();
                   return Status::Ok();
                 },
                 {.part_size = 2 << 20, .parallel = 2, .cancelled = [&] { return delivered > 0; }});
  EXPECT_EQ(status.code(), Status::Code::kAborted) << status.ToString();
  EXPECT_EQ(delivered, 2u << 20);
}

TEST_F(ObjectReaderTest, PrefixIsNotAnObject) {
  Result<std::unique_ptr<RangedObject>> object =
      OpenRangedObject(*ObjectUrl::Parse(url_ + "datasets/"), client_.get(), {});
  EXPECT_EQ(object.status().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace edgesync::objectstore
