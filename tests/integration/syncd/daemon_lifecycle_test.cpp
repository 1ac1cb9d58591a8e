// SIGTERM exits 0 promptly (also with a watcher connected), a restart keeps everything, SIGHUP
// reloads what it can.
#include <nlohmann/json.hpp>

#include "daemon_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class DaemonLifecycleTest : public DaemonFixture {};

TEST_F(DaemonLifecycleTest, SigtermExitsZeroPromptlyWithClientsConnected) {
  StartDaemon();
  MakeFile(root() / "m" / "w.bin", std::string(100000, 'w'));
  ASSERT_EQ(Cli({"put", "model/m", (root() / "m").string()}).exit_code, 0);
  BackgroundProcess watch({EDGESYNC_BIN, "--data-dir", data_dir().string(), "checkout", "model/m",
                           (root() / "cur").string(), "--watch"},
                          root() / "watch.out", root() / "watch.err");
  ASSERT_TRUE(PollUntil([&] { return fs::is_symlink(root() / "cur"); }));

  auto started = std::chrono::steady_clock::now();
  daemon().Signal(SIGTERM);
  std::optional<int> code = daemon().Wait(std::chrono::seconds(5));
  ASSERT_TRUE(code.has_value()) << "edgesyncd did not exit within 5s of SIGTERM";
  EXPECT_EQ(*code, 0) << DaemonLog();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
  EXPECT_FALSE(fs::exists(socket_path())) << "socket left behind";
  EXPECT_TRUE(watch.Wait(std::chrono::seconds(5)).has_value()) << "watcher did not notice";
}

TEST_F(DaemonLifecycleTest, RestartKeepsEverything) {
  StartDaemon();
  MakeFile(root() / "m" / "run.sh", "#!/bin/sh\n", fs::perms(0755));
  MakeFile(root() / "m" / "w.bin", std::string(300000, 'x'));
  ASSERT_EQ(Cli({"put", "model/keep", (root() / "m").string()}).exit_code, 0);
  ASSERT_EQ(Cli({"put", "model/keep", (root() / "m" / "w.bin").string()}).exit_code, 0);
  json before = json::parse(Cli({"history", "model/keep", "--json"}).out);
  std::string node_id = json::parse(Cli({"status", "--json"}).out)["node_id"];
  ASSERT_EQ(StopDaemon(), 0);

  StartDaemon();
  json after = json::parse(Cli({"history", "model/keep", "--json"}).out);
  EXPECT_EQ(before, after);
  EXPECT_EQ(json::parse(Cli({"status", "--json"}).out)["node_id"], node_id);
  fs::path out = root() / "out";
  ASSERT_EQ(Cli({"get", "model/keep", out.string(), "--version",
                 before["versions"][1]["version"].get<std::string>()})
                .exit_code,
            0);
  EXPECT_EQ(ReadFileText(out / "w.bin"), std::string(300000, 'x'));
  EXPECT_NE(fs::status(out / "run.sh").permissions() & fs::perms::owner_exec, fs::perms::none);
}

TEST_F(DaemonLifecycleTest, SighupReloadsLabelsAndLogsWhatNeedsRestart) {
  fs::path config = root() / "edgesync.toml";
  WriteFileText(config, "[node]\nlabels = { role = \"edge\" }\n");
  StartDaemon({"--config", config.string()});
  EXPECT_EQ(json::parse(Cli({"status", "--json"}).out)["labels"]["role"], "edge");

  WriteFileText(config,
                "[node]\nlabels = { role = \"cloud\" }\n[chunking]\navg = \"128KiB\"\n"
                "max = \"512KiB\"\n");
  daemon().Signal(SIGHUP);
  EXPECT_TRUE(PollUntil([&] {
    return json::parse(Cli({"status", "--json"}).out)["labels"]["role"] == "cloud";
  }));
  EXPECT_TRUE(PollUntil([&] {
    return DaemonLog().find("chunking.avg changed") != std::string::npos;
  })) << DaemonLog();
  EXPECT_TRUE(daemon().running());
}

TEST_F(DaemonLifecycleTest, SighupAppliesRetentionAndQuotaAndKeepsThemWhenInvalid) {
  fs::path config = root() / "edgesync.toml";
  WriteFileText(config, "[storage]\nmax_bytes = \"100MiB\"\n");
  StartDaemon({"--config", config.string()});
  auto limit = [&] { return json::parse(Cli({"status", "--json"}).out)["disk_quota"]["limit_bytes"]; };
  EXPECT_EQ(limit(), 100u << 20);
  MakeFile(root() / "m" / "w.bin", std::string(2 << 20, 'w'));
  ASSERT_EQ(Cli({"put", "model/local", (root() / "m").string()}).exit_code, 0);

  // Below what this node wrote (never evicted): logged, the running quota stays.
  WriteFileText(config, "[storage]\nmax_bytes = \"1MiB\"\n");
  daemon().Signal(SIGHUP);
  EXPECT_TRUE(PollUntil([&] { return DaemonLog().find("keeping the running disk quota") != std::string::npos; }))
      << DaemonLog();
  EXPECT_EQ(limit(), 100u << 20);

  WriteFileText(config, "[storage]\nmax_bytes = \"50MiB\"\nkeep_versions = 2\n");
  daemon().Signal(SIGHUP);
  EXPECT_TRUE(PollUntil([&] { return limit() == 50u << 20; })) << DaemonLog();
  for (int i = 0; i < 3; ++i) {
    MakeFile(root() / "r" / "v.txt", "version " + std::to_string(i));
    ASSERT_EQ(Cli({"put", "model/r", (root() / "r").string()}).exit_code, 0);
  }
  EXPECT_EQ(json::parse(Cli({"history", "model/r", "--json"}).out)["versions"].size(), 2u);

  // A malformed value: the whole reload is refused and logged; the daemon runs on.
  WriteFileText(config, "[storage]\nkeep_versions = 0\n");
  daemon().Signal(SIGHUP);
  EXPECT_TRUE(PollUntil([&] { return DaemonLog().find("storage.keep_versions") != std::string::npos; }))
      << DaemonLog();
  EXPECT_TRUE(daemon().running());
  EXPECT_EQ(limit(), 50u << 20);
}

TEST_F(DaemonLifecycleTest, LogLinesCarrySyslogPrefix) {
  StartDaemon();
  std::string log = DaemonLog();
  ASSERT_FALSE(log.empty());
  size_t start = 0;
  while (start < log.size()) {
    size_t end = log.find('\n', start);
    std::string line = log.substr(start, end - start);
    EXPECT_TRUE(line.size() > 3 && line[0] == '<' && line[2] == '>' && line[1] >= '0' &&
                line[1] <= '7')
        << line;
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

}  // namespace
}  // namespace edgesync::testing
