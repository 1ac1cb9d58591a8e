// edgesyncd against a real S3 server (s3rver on 127.0.0.1): `put` of an s3:// prefix and of one
// object streams them in byte-identical, `export` writes a version as plain objects that an
// independent client (s3cmd) reads back byte-identical, with the version id and exec bits as
// metadata, and exporting again uploads nothing. Errors name the URL and never the secret. The
// daemon's credentials come from the [s3] section's credentials file, not its environment.
#include <fstream>

#include <nlohmann/json.hpp>

#include "daemon_fixture.h"
#include "tests/support/s3rver_server.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using objectstore::testing::S3rverServer;

// s3rver checks the access key id but not signatures; a distinctive secret lets the test look
// for it in every output.
constexpr char kSecret[] = "Secret-never-shown-7f3a";

class ObjectStorageTest : public DaemonFixture {
 protected:
  void SetUp() override {
    DaemonFixture::SetUp();
    client_ = server_.Client();
    const fs::path credentials = root() / "aws-credentials";
    MakeFile(credentials,
             std::string("[default]\naws_access_key_id = ") + S3rverServer::kAccessKey +
                 "\naws_secret_access_key = " + kSecret + "\n",
             fs::perms(0600));
    MakeFile(root() / "edgesync.toml", "[s3]\nendpoint = \"" + server_.endpoint() +
                                           "\"\nregion = \"us-east-1\"\ncredentials_file = \"" +
                                           credentials.string() + "\"\n");
    // An environment with other keys: the config file's credentials file must win.
    StartDaemon({"--config", (root() / "edgesync.toml").string()},
                {"AWS_ACCESS_KEY_ID=WRONG", "AWS_SECRET_ACCESS_KEY=wrong"});
  }

  void Upload(const std::string& key, const std::string& data) {
    Result<std::string> etag = client_->Put(S3rverServer::kBucket, key, data, {});
    ASSERT_TRUE(etag.ok()) << etag.status().ToString();
  }

  std::string Bucket(const std::string& key) const {
    return std::string("s3://") + S3rverServer::kBucket + "/" + key;
  }

  ProcessResult S3cmd(std::vector<std::string> args) {
    const std::string host = "127.0.0.1:" + std::to_string(server_.port());
    WriteFileText(root() / "s3cfg", std::string("[default]\naccess_key = ") + S3rverServer::kAccessKey +
                                        "\nsecret_key = " + kSecret + "\nhost_base = " + host +
                                        "\nhost_bucket = " + host +
                                        "\nbucket_location = us-east-1\nuse_https = False\n"
                                        "signature_v2 = False\n");
    args.insert(args.begin(), {S3CMD_BIN, "--config", (root() / "s3cfg").string(), "--no-progress"});
    return RunProcess(args, std::chrono::seconds(60), {"HOME=" + root().string()});
  }

  void ExpectNoSecret(const ProcessResult& r) {
    EXPECT_EQ(r.out.find(kSecret), std::string::npos);
    EXPECT_EQ(r.err.find(kSecret), std::string::npos);
  }

  S3rverServer server_;
  std::unique_ptr<objectstore::S3Client> client_;
};

TEST_F(ObjectStorageTest, PutsFromS3AndExportsBackByteIdentical) {
  const std::string weights = RandomBytes((20 << 20) + 333, 61);  // several ranged parts
  Upload("models/helmet/v1/weights.bin", weights);
  Upload("models/helmet/v1/labels.txt", "helmet\nhead\n");
  Upload("models/helmet/v1/scripts/post.py", "print('post')\n");

  ProcessResult put = Cli({"put", "model/helmet", Bucket("models/helmet/v1")});
  ASSERT_EQ(put.exit_code, 0) << put.err << DaemonLog();
  ExpectNoSecret(put);
  ProcessResult get = Cli({"get", "model/helmet", (root() / "got").string()});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(ReadFileText(root() / "got" / "weights.bin"), weights);
  EXPECT_EQ(ReadFileText(root() / "got" / "labels.txt"), "helmet\nhead\n");
  EXPECT_EQ(ReadFileText(root() / "got" / "scripts" / "post.py"), "print('post')\n");

  // One object: stored under its own name.
  ProcessResult one = Cli({"put", "model/one", Bucket("models/helmet/v1/labels.txt")});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  ASSERT_EQ(Cli({"get", "model/one", (root() / "one").string()}).exit_code, 0);
  EXPECT_EQ(ReadFileText(root() / "one" / "labels.txt"), "helmet\nhead\n");

  // Export, with an executable file, read back by s3cmd.
  MakeFile(root() / "src" / "run.sh", "#!/bin/sh\necho run\n", fs::perms(0755));
  MakeFile(root() / "src" / "weights.bin", weights);
  ProcessResult local = Cli({"put", "model/served", (root() / "src").string(), "--json"});
  ASSERT_EQ(local.exit_code, 0) << local.err;
  const std::string version = json::parse(local.out)["version"];
  ProcessResult exported = Cli({"export", "model/served", Bucket("serving/helmet"), "--json"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err << DaemonLog();
  ExpectNoSecret(exported);
  json first = json::parse(exported.out);
  EXPECT_EQ(first["uploaded"], 2);
  EXPECT_EQ(first["skipped"], 0);
  ProcessResult fetched =
      S3cmd({"get", Bucket("serving/helmet/weights.bin"), (root() / "s3cmd.bin").string()});
  ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
  EXPECT_EQ(ReadFileText(root() / "s3cmd.bin"), weights);
  Result<objectstore::ObjectInfo> head = client_->Head(S3rverServer::kBucket, "serving/helmet/run.sh");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->metadata["edgesync-version"], version);
  EXPECT_EQ(head->metadata["edgesync-mode"], "0755");

  ProcessResult again = Cli({"export", "model/served", Bucket("serving/helmet"), "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  json second = json::parse(again.out);
  EXPECT_EQ(second["uploaded"], 0);
  EXPECT_EQ(second["skipped"], 2);
  EXPECT_EQ(second["bytes"], 0);
}

// A Sedna Model whose spec.url is s3:// is applied like a local one.
TEST_F(ObjectStorageTest, AppliesASednaModelWhoseUrlIsS3) {
  Upload("sedna/helmet/model.pb", "weights-v1");
  MakeFile(root() / "model.yaml",
           "apiVersion: sedna.io/v1alpha1\nkind: Model\nmetadata: {name: helmet, namespace: site-a}\n"
           "spec: {url: '" +
               Bucket("sedna/helmet") + "', format: pb}\n");
  ProcessResult applied = Cli({"apply", "-f", (root() / "model.yaml").string()});
  ASSERT_EQ(applied.exit_code, 0) << applied.err << DaemonLog();
  ASSERT_EQ(Cli({"get", "model/site-a/helmet", (root() / "sedna").string()}).exit_code, 0);
  EXPECT_EQ(ReadFileText(root() / "sedna" / "model.pb"), "weights-v1");
}

// A dataset under an s3:// prefix gets its statistics from annotation files read through the
// object store (no local copy), by `put` and by a Sedna Dataset whose url names its index file.
TEST_F(ObjectStorageTest, DatasetsFromS3GetStatisticsFromTheirFiles) {
  Upload("datasets/iris/train.csv",
         "sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n4.9,1.4,setosa\n");
  Upload("datasets/iris/test.csv", "sepal,petal,species\n5.8,4.0,versicolor\n");
  Upload("datasets/iris/images/blob.bin", RandomBytes(3 << 20, 62));  // listed, never read for stats
  MakeFile(root() / "iris.json", R"({"kind": "dataset", "format": "csv", "label_column": "species"})");
  ProcessResult put = Cli({"put", "dataset/lab/iris", Bucket("datasets/iris/"), "--spec",
                           (root() / "iris.json").string(), "--strict"});
  ASSERT_EQ(put.exit_code, 0) << put.err << DaemonLog();
  ProcessResult shown = Cli({"show", "dataset/lab/iris", "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  json show = json::parse(shown.out);
  EXPECT_EQ(show["spec"]["stats"]["samples"], 4);
  EXPECT_EQ(show["spec"]["stats"]["classes"], json({{"setosa", 2}, {"versicolor", 2}}));
  EXPECT_EQ(show["spec"]["stats"]["files"], 3);
  ASSERT_EQ(Cli({"get", "dataset/lab/iris", (root() / "iris").string()}).exit_code, 0);
  EXPECT_EQ(ReadFileText(root() / "iris" / "test.csv"), "sepal,petal,species\n5.8,4.0,versicolor\n");

  Upload("datasets/helmets/train.txt", "images/a.jpg 0\nimages/b.jpg 1\n");
  Upload("datasets/helmets/images/a.jpg", "jpeg-a");
  Upload("datasets/helmets/images/b.jpg", "jpeg-b");
  MakeFile(root() / "dataset.yaml",
           "apiVersion: sedna.io/v1alpha1\nkind: Dataset\nmetadata: {name: helmets, namespace: site-a}\n"
           "spec: {url: '" +
               Bucket("datasets/helmets/train.txt") + "', format: txt, nodeName: edge-1}\n");
  ProcessResult applied = Cli({"apply", "-f", (root() / "dataset.yaml").string()});
  ASSERT_EQ(applied.exit_code, 0) << applied.err << DaemonLog();
  ProcessResult helmets = Cli({"show", "dataset/site-a/helmets", "--json"});
  ASSERT_EQ(helmets.exit_code, 0) << helmets.err;
  json stats = json::parse(helmets.out)["spec"]["stats"];
  EXPECT_EQ(stats["samples"], 2) << helmets.out;
  EXPECT_EQ(stats["files"], 3) << helmets.out;
  ASSERT_EQ(Cli({"get", "dataset/site-a/helmets", (root() / "helmets").string()}).exit_code, 0);
  EXPECT_EQ(ReadFileText(root() / "helmets" / "images" / "b.jpg"), "jpeg-b");
}

TEST_F(ObjectStorageTest, BadSourcesFailClearlyAndStoreNothing) {
  ProcessResult missing = Cli({"put", "model/x", Bucket("no/such/thing")});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find(Bucket("no/such/thing")), std::string::npos) << missing.err;
  ExpectNoSecret(missing);

  ProcessResult no_bucket = Cli({"put", "model/x", "s3://no-such-bucket/m"});
  EXPECT_NE(no_bucket.exit_code, 0);
  EXPECT_NE(no_bucket.err.find("no-such-bucket"), std::string::npos) << no_bucket.err;

  ProcessResult traversal = Cli({"put", "model/x", Bucket("models/../secrets")});
  EXPECT_NE(traversal.exit_code, 0);
  EXPECT_NE(traversal.err.find(".."), std::string::npos) << traversal.err;

  const std::string http = server_.endpoint() + "/" + S3rverServer::kBucket + "/m.bin";
  ProcessResult insecure = Cli({"put", "model/x", http});
  EXPECT_NE(insecure.exit_code, 0);
  EXPECT_NE(insecure.err.find("http://"), std::string::npos) << insecure.err;

  ProcessResult ls = Cli({"ls", "--json"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_EQ(ls.out.find("model/x"), std::string::npos) << ls.out;
  EXPECT_EQ(DaemonLog().find(kSecret), std::string::npos);
  // The daemon keeps serving.
  MakeFile(root() / "ok" / "w.bin", "w");
  EXPECT_EQ(Cli({"put", "model/ok", (root() / "ok").string()}).exit_code, 0);
}

}  // namespace
}  // namespace edgesync::testing
