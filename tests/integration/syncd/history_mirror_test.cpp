// history.git_mirror against a real daemon: a put lands, soon after, in a commit of the bare
// repository, read back with the stock git CLI.
#include <nlohmann/json.hpp>

#include "daemon_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kGit = "/usr/bin/git";  // scripts/setup.sh installs it

class HistoryMirrorTest : public DaemonFixture {
 protected:
  void SetUp() override {
    DaemonFixture::SetUp();
    if (!fs::exists(kGit)) GTEST_SKIP() << kGit << " not installed; the mirror is read with stock git";
  }
  ProcessResult Git(const fs::path& repo, std::vector<std::string> args) {
    std::vector<std::string> argv = {kGit, "--git-dir=" + repo.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, std::chrono::seconds(10), {"GIT_CONFIG_NOSYSTEM=1", "HOME=" + root().string()});
  }
};

TEST_F(HistoryMirrorTest, ConfigKeyMirrorsPutsIntoGitCommits) {
  fs::path repo = root() / "mirror" / "history.git";
  fs::path config = root() / "edgesync.toml";
  MakeFile(config, "[history]\ngit_mirror = \"mirror/history.git\"\n");  // relative to the file
  StartDaemon({"--config", config.string()});

  MakeFile(root() / "export" / "model.onnx", "weights");
  MakeFile(root() / "spec.json", R"({"task": "object_detection", "labels": ["helmet"]})");
  ProcessResult put = Cli({"put", "model/vision/helmet", (root() / "export").string(), "--spec",
                           (root() / "spec.json").string(), "--json"});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  const std::string version = nlohmann::json::parse(put.out).value("version", "");
  ASSERT_FALSE(version.empty()) << put.out;
  ASSERT_EQ(Cli({"meta", "set", "meta/policy", "model=keep-both"}).exit_code, 0);

  // The mirror commits from its own thread after a short batching delay.
  ProcessResult log;
  bool mirrored = PollUntil(
      [&] {
        log = Git(repo, {"log", "--format=%B", "--name-only", "main"});
        return log.exit_code == 0 && log.out.find("meta/_/") != std::string::npos &&
               log.out.find("/helmet/spec.json") != std::string::npos;
      },
      std::chrono::seconds(20));
  ASSERT_TRUE(mirrored) << "git log: " << log.out << log.err << "\ndaemon log:\n" << DaemonLog();
  EXPECT_NE(log.out.find("model/vision/helmet " + version), std::string::npos) << log.out;

  ProcessResult files = Git(repo, {"ls-tree", "-r", "--name-only", "main"});
  ASSERT_EQ(files.exit_code, 0) << files.err;
  std::string spec_path;
  for (size_t start = 0; start < files.out.size();) {
    size_t end = files.out.find('\n', start);
    std::string line = files.out.substr(start, end - start);
    if (line.starts_with("models/vision/") && line.ends_with("/helmet/spec.json")) spec_path = line;
    start = end == std::string::npos ? files.out.size() : end + 1;
  }
  ASSERT_FALSE(spec_path.empty()) << files.out;
  ProcessResult spec = Git(repo, {"show", "main:" + spec_path});
  ASSERT_EQ(spec.exit_code, 0) << spec.err;
  EXPECT_NE(spec.out.find("object_detection"), std::string::npos) << spec.out;
  EXPECT_NE(DaemonLog().find("history mirror: " + repo.string()), std::string::npos) << DaemonLog();
}

}  // namespace
}  // namespace edgesync::testing
