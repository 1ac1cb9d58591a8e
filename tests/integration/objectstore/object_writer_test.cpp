// UploadFile / UploadStream against s3rver (or an external server, s3rver_server.h): single PUT
// below the threshold, multipart above it, read back byte-identical; skipping unchanged content;
// a cancelled upload leaves nothing.
#include "objectstore/object_writer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>

#include "objectstore/object_reader.h"
#include "objectstore/object_url.h"
#include "tests/integration/objectstore/http_fault_front.h"
#include "tests/support/s3rver_server.h"
#include "tests/integration/objectstore/test_helpers.h"
#include "tests/support/process_runner.h"
#include "tests/support/temp_dir.h"

namespace edgesync::objectstore {
namespace {

using testing::AppendTo;
using testing::S3rverServer;

class ObjectWriterTest : public ::testing::Test {
 protected:
  std::string ReadBack(const std::string& key) {
    Result<std::unique_ptr<RangedObject>> object =
        OpenRangedObject(*ObjectUrl::Parse("s3://" + bucket_ + "/" + key), client_.get(), {});
    EXPECT_TRUE(object.ok());
    std::string back;
    Status status = ReadObject(**object, AppendTo(&back));
    EXPECT_TRUE(status.ok()) << status.ToString();
    return back;
  }

  ::edgesync::testing::TempDir dir_;
  S3rverServer server_;
  std::unique_ptr<S3Client> client_ = server_.Client();
  // Uploads go through a front that counts PUTs (s3rver's multipart ETags carry no part count).
  testing::HttpFaultFront front_{server_.port()};
  std::unique_ptr<S3Client> counted_ = server_.Client({}, front_.port());
  const std::string bucket_ = server_.bucket();
};

TEST_F(ObjectWriterTest, MultipartAbove64MiBReadsBackIdentical) {
  std::string data = ::edgesync::testing::RandomBytes((65 << 20) + 777, 20);
  ::edgesync::testing::WriteFileText(dir_ / "model.bin", data);
  uint64_t progress = 0;
  front_.SetFault({.method = "PUT"});
  Result<UploadResult> result = UploadFile(*counted_, bucket_, "export/model.bin", dir_ / "model.bin",
                                           {.metadata = {{"mode", "644"}},
                                            .content_id = "v-abc",
                                            .progress = [&](uint64_t done, uint64_t) { progress = done; }});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_FALSE(result->skipped);
  EXPECT_EQ(result->size, data.size());
  EXPECT_EQ(progress, data.size());
  EXPECT_EQ(front_.requests(), 5) << "65 MiB in 16 MiB parts";

  Result<ObjectInfo> head = client_->Head(bucket_, "export/model.bin");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->metadata[kContentIdMetadata], "v-abc");
  EXPECT_EQ(head->metadata["mode"], "644");
  EXPECT_TRUE(ReadBack("export/model.bin") == data);
}

TEST_F(ObjectWriterTest, SameContentIdIsSkipped) {
  ::edgesync::testing::WriteFileText(dir_ / "a", "first content");
  ASSERT_TRUE(UploadFile(*client_, bucket_, "skip/a", dir_ / "a", {.content_id = "v1"}).ok());
  Result<UploadResult> again = UploadFile(*client_, bucket_, "skip/a", dir_ / "a", {.content_id = "v1"});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->skipped);

  ::edgesync::testing::WriteFileText(dir_ / "a", "second content");
  Result<UploadResult> changed = UploadFile(*client_, bucket_, "skip/a", dir_ / "a", {.content_id = "v2"});
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(changed->skipped);
  EXPECT_EQ(ReadBack("skip/a"), "second content");
}

TEST_F(ObjectWriterTest, StreamsOfUnknownSize) {
  auto source_of = [](const std::string& data) {
    auto pos = std::make_shared<size_t>(0);
    return [data, pos](char* buffer, size_t capacity) -> Result<size_t> {
      size_t n = std::min(capacity, data.size() - *pos);
      std::memcpy(buffer, data.data() + *pos, n);
      *pos += n;
      return n;
    };
  };
  UploadOptions small_threshold{.multipart_threshold = 6 << 20, .part_size = 5 << 20, .parallel = 2};
  std::string small = ::edgesync::testing::RandomBytes(3 << 20, 21);
  front_.SetFault({.method = "PUT"});
  Result<UploadResult> one =
      UploadStream(*counted_, bucket_, "stream/small", source_of(small), small_threshold);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(front_.requests(), 1) << "a single PUT";
  EXPECT_TRUE(ReadBack("stream/small") == small);

  std::string large = ::edgesync::testing::RandomBytes(17 << 20, 22);  // four parts, the last 2 MiB
  front_.SetFault({.method = "PUT"});
  Result<UploadResult> multi =
      UploadStream(*counted_, bucket_, "stream/large", source_of(large), small_threshold);
  ASSERT_TRUE(multi.ok()) << multi.status().ToString();
  EXPECT_EQ(front_.requests(), 4);
  EXPECT_TRUE(ReadBack("stream/large") == large);

  std::string exact = ::edgesync::testing::RandomBytes(10 << 20, 23);  // exactly two parts
  front_.SetFault({.method = "PUT"});
  Result<UploadResult> two =
      UploadStream(*counted_, bucket_, "stream/exact", source_of(exact), small_threshold);
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  EXPECT_EQ(front_.requests(), 2);
  EXPECT_TRUE(ReadBack("stream/exact") == exact);
}

TEST_F(ObjectWriterTest, CancelledMultipartLeavesNothingVisible) {
  std::string data = ::edgesync::testing::RandomBytes(20 << 20, 24);
  ::edgesync::testing::WriteFileText(dir_ / "big", data);
  int polls = 0;
  Result<UploadResult> result = UploadFile(
      *client_, bucket_, "cancel/big", dir_ / "big",
      {.multipart_threshold = 6 << 20, .part_size = 5 << 20, .cancelled = [&] { return ++polls > 3; }});
  EXPECT_EQ(result.status().code(), Status::Code::kAborted) << result.status().ToString();
  EXPECT_TRUE(client_->Head(bucket_, "cancel/big").status().IsNotFound());
}

TEST_F(ObjectWriterTest, RefusesPartsBelowS3sMinimum) {
  ::edgesync::testing::WriteFileText(dir_ / "f", "x");
  EXPECT_EQ(UploadFile(*client_, bucket_, "k", dir_ / "f", {.part_size = 1 << 20}).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(UploadFile(*client_, bucket_, "k", dir_ / "missing", {}).status().code(), Status::Code::kIoError);
}

}  // namespace
}  // namespace edgesync::objectstore
