// put/get/ls/show/history/rollback/rm through the real CLI against a real daemon.
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "daemon_fixture.h"

namespace edgesync::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class CliRoundTripTest : public DaemonFixture {};

json ParseJson(const ProcessResult& result) {
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return json::parse(result.out, nullptr, false);
}

TEST_F(CliRoundTripTest, PutGetKeepsBytesAndExecBit) {
  StartDaemon();
  fs::path src = root() / "export";
  std::string weights(3 * 1024 * 1024 + 17, '\0');
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<char>((i * 7919) >> 3);
  MakeFile(src / "weights.bin", weights);
  MakeFile(src / "scripts" / "preprocess.sh", "#!/bin/sh\necho resize\n", fs::perms(0755));
  MakeFile(src / "labels.txt", "helmet\nhead\n");

  ProcessResult put = Cli({"put", "model/helmet", src.string()});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  EXPECT_NE(put.out.find("model/helmet"), std::string::npos) << put.out;

  fs::path out = root() / "out";
  ProcessResult get = Cli({"get", "model/helmet", out.string()});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(ReadFileText(out / "weights.bin"), weights);
  EXPECT_EQ(ReadFileText(out / "labels.txt"), "helmet\nhead\n");
  EXPECT_EQ(ReadFileText(out / "scripts" / "preprocess.sh"), "#!/bin/sh\necho resize\n");
  struct stat st{};
  ASSERT_EQ(stat((out / "scripts" / "preprocess.sh").c_str(), &st), 0);
  EXPECT_TRUE(st.st_mode & S_IXUSR) << "exec bit lost";
  ASSERT_EQ(stat((out / "labels.txt").c_str(), &st), 0);
  EXPECT_FALSE(st.st_mode & S_IXUSR);
}

TEST_F(CliRoundTripTest, LsShowHistoryRollbackInJson) {
  StartDaemon();
  MakeFile(root() / "v1" / "model.txt", "one");
  MakeFile(root() / "v2" / "model.txt", "two-two");
  MakeFile(root() / "data.csv", "a,b\n1,2\n");
  ASSERT_EQ(Cli({"put", "model/site-a/det", (root() / "v1").string()}).exit_code, 0);
  ASSERT_EQ(Cli({"put", "model/site-a/det", (root() / "v2").string()}).exit_code, 0);
  ASSERT_EQ(Cli({"put", "dataset/site-a/samples", (root() / "data.csv").string()}).exit_code, 0);

  json ls = ParseJson(Cli({"ls", "--json"}));
  ASSERT_TRUE(ls.contains("objects")) << ls;
  ASSERT_EQ(ls["objects"].size(), 2u) << ls;
  EXPECT_EQ(ls["objects"][0]["key"], "dataset/site-a/samples");
  EXPECT_EQ(ls["objects"][1]["key"], "model/site-a/det");

  json only_models = ParseJson(Cli({"ls", "model/", "--json"}));
  ASSERT_EQ(only_models["objects"].size(), 1u);

  json show = ParseJson(Cli({"show", "model/site-a/det", "--json"}));
  ASSERT_TRUE(show["files"].is_array()) << show;
  ASSERT_EQ(show["files"].size(), 1u);
  EXPECT_EQ(show["files"][0]["path"], "model.txt");
  EXPECT_EQ(show["files"][0]["size"], 7);

  json history = ParseJson(Cli({"history", "model/site-a/det", "--json"}));
  ASSERT_EQ(history["versions"].size(), 2u) << history;
  std::string first = history["versions"][1]["version"];

  ASSERT_EQ(Cli({"rollback", "model/site-a/det", first}).exit_code, 0);
  fs::path out = root() / "rolled";
  ASSERT_EQ(Cli({"get", "model/site-a/det", out.string()}).exit_code, 0);
  EXPECT_EQ(ReadFileText(out / "model.txt"), "one");

  ProcessResult human = Cli({"ls"});
  ASSERT_EQ(human.exit_code, 0);
  EXPECT_EQ(human.out.rfind("KEY", 0), 0u) << human.out;

  ASSERT_EQ(Cli({"rm", "model/site-a/det"}).exit_code, 0);
  json after = ParseJson(Cli({"ls", "--json"}));
  EXPECT_EQ(after["objects"].size(), 1u) << after;
}

TEST_F(CliRoundTripTest, StatusReportsNode) {
  StartDaemon({"--label", "role=edge"});
  json status = ParseJson(Cli({"status", "--json"}));
  EXPECT_EQ(status["node_name"], "test-node");
  EXPECT_EQ(status["labels"]["role"], "edge");
  EXPECT_EQ(status["control_socket"], socket_path().string());
}

}  // namespace
}  // namespace edgesync::testing
