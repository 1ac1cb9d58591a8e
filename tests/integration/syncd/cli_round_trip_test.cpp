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
  MakeFile(root() / "other.txt", "other");
  ASSERT_EQ(Cli({"put", "model/site-a/det", (root() / "v1").string()}).exit_code, 0);
  ASSERT_EQ(Cli({"put", "model/site-a/det", (root() / "v2").string()}).exit_code, 0);
  ASSERT_EQ(Cli({"put", "model/other", (root() / "other.txt").string()}).exit_code, 0);

  json ls = ParseJson(Cli({"ls", "--json"}));
  ASSERT_TRUE(ls.contains("objects")) << ls;
  ASSERT_EQ(ls["objects"].size(), 2u) << ls;
  EXPECT_EQ(ls["objects"][0]["key"], "model/other");
  EXPECT_EQ(ls["objects"][1]["key"], "model/site-a/det");

  json prefixed = ParseJson(Cli({"ls", "model/site-a/", "--json"}));
  ASSERT_EQ(prefixed["objects"].size(), 1u);

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

TEST_F(CliRoundTripTest, SelectModelsBySpecInJson) {
  StartDaemon();
  const char* specs[] = {
      R"({"task":"object_detection","labels":["helmet","head"],"metrics":{"mAP":0.81}})",
      R"({"task":"object_detection","labels":["car"],"metrics":{"mAP":0.60}})",
      R"({"task":"image_classification","labels":["cat"],"metrics":{"mAP":0.95}})"};
  const char* keys[] = {"model/helmet", "model/car", "model/cat"};
  for (int i = 0; i < 3; ++i) {
    fs::path dir = root() / keys[i];
    MakeFile(dir / "weights.onnx", keys[i]);
    MakeFile(root() / (std::to_string(i) + ".json"), specs[i]);
    ProcessResult put = Cli({"put", keys[i], dir.string(), "--spec",
                             (root() / (std::to_string(i) + ".json")).string()});
    ASSERT_EQ(put.exit_code, 0) << put.err;
  }
  json selected = ParseJson(Cli({"select", "--task", "object_detection", "--metric", "mAP>=0.7",
                                 "--json"}));
  ASSERT_TRUE(selected["models"].is_array()) << selected;
  ASSERT_EQ(selected["models"].size(), 1u) << selected;
  EXPECT_EQ(selected["models"][0]["key"], "model/helmet");
  json all = ParseJson(Cli({"select", "--order", "mAP", "--json"}));
  ASSERT_EQ(all["models"].size(), 3u) << all;
  EXPECT_EQ(all["models"][0]["key"], "model/cat");
  // The human table of models with metrics (it used to abort on invalid_iterator.212).
  ProcessResult table = Cli({"select", "--order", "mAP"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("model/helmet"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("mAP=0.95"), std::string::npos) << table.out;
  ProcessResult bad = Cli({"select", "--no-such-option"});
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
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
