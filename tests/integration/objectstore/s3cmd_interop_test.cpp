// Interoperability with an independent client: what s3cmd (Debian) uploads, the library reads
// byte-identical, and what the library uploads (multipart), `s3cmd get` reads byte-identical.
// s3cmd's keys are in its config file, never on its command line.
#include <gtest/gtest.h>

#include "objectstore/object_reader.h"
#include "objectstore/object_url.h"
#include "objectstore/object_writer.h"
#include "tests/integration/objectstore/s3cmd_runner.h"
#include "tests/support/s3rver_server.h"
#include "tests/integration/objectstore/test_helpers.h"
#include "tests/support/process_runner.h"
#include "tests/support/temp_dir.h"

namespace edgesync::objectstore {
namespace {

using ::edgesync::testing::ProcessResult;
using testing::AppendTo;
using testing::S3rverServer;

class S3cmdInteropTest : public ::testing::Test {
 protected:
  ProcessResult S3cmd(std::vector<std::string> args) { return s3cmd_.Run(std::move(args)); }

  ::edgesync::testing::TempDir dir_;
  S3rverServer server_;
  testing::S3cmdRunner s3cmd_{server_, dir_.path()};
  std::unique_ptr<S3Client> client_ = server_.Client();
  const std::string bucket_ = server_.bucket();
  const std::string url_ = "s3://" + bucket_ + "/";  // + key
};

TEST_F(S3cmdInteropTest, S3cmdUploadsTheLibraryReads) {
  std::string data = ::edgesync::testing::RandomBytes((33 << 20) + 5, 40);  // s3cmd: 15 MiB multipart chunks
  ::edgesync::testing::WriteFileText(dir_ / "up.bin", data);
  ProcessResult put = S3cmd({"put", (dir_ / "up.bin").string(), url_ + "from-s3cmd/up.bin"});
  ASSERT_EQ(put.exit_code, 0) << put.out << put.err;

  Result<std::unique_ptr<RangedObject>> object =
      OpenRangedObject(*ObjectUrl::Parse(url_ + "from-s3cmd/up.bin"), client_.get(), {});
  ASSERT_TRUE(object.ok());
  std::string back;
  Status status = ReadObject(**object, AppendTo(&back), {.part_size = 8 << 20, .parallel = 4});
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(back == data);
  Result<std::vector<ObjectInfo>> listed = client_->List(bucket_, "from-s3cmd/");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].size, data.size());
}

TEST_F(S3cmdInteropTest, TheLibraryUploadsS3cmdGets) {
  std::string data = ::edgesync::testing::RandomBytes((66 << 20) + 3, 41);
  ::edgesync::testing::WriteFileText(dir_ / "model.bin", data);
  Result<UploadResult> uploaded =
      UploadFile(*client_, bucket_, "from-lib/model.bin", dir_ / "model.bin", {.content_id = "v1"});
  ASSERT_TRUE(uploaded.ok()) << uploaded.status().ToString();
  ProcessResult get = S3cmd({"get", url_ + "from-lib/model.bin", (dir_ / "got.bin").string()});
  ASSERT_EQ(get.exit_code, 0) << get.out << get.err;
  EXPECT_TRUE(::edgesync::testing::ReadFileText(dir_ / "got.bin") == data);
  // (`s3cmd info` would show the metadata, but it asks for the object's ACL, which s3rver lacks.)

  ProcessResult listed = S3cmd({"ls", url_ + "from-lib/"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(std::to_string(data.size()) + "  " + url_ + "from-lib/model.bin"),
            std::string::npos)
      << listed.out;
}

}  // namespace
}  // namespace edgesync::objectstore
