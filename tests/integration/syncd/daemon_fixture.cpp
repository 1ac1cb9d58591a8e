#include "daemon_fixture.h"

#include <cstdlib>
#include <fstream>

#include "control/control_client.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {

void DaemonFixture::SetUp() {
  char pattern[] = "/tmp/es-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  root_ = pattern;
}

void DaemonFixture::TearDown() {
  daemon_.reset();  // SIGTERM, then SIGKILL; reaps
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

BackgroundProcess& DaemonFixture::StartDaemon(const std::vector<std::string>& extra_args,
                                              const std::vector<std::string>& env) {
  std::vector<std::string> argv = {EDGESYNCD_BIN, "--data-dir", data_dir().string(),
                                   "--http-status", "127.0.0.1:0", "--node-name", "test-node"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  std::vector<std::string> full_env = {"XDG_RUNTIME_DIR=", "RUNTIME_DIRECTORY=",
                                       "STATE_DIRECTORY=", "CONFIGURATION_DIRECTORY=",
                                       "NOTIFY_SOCKET=", "WATCHDOG_USEC="};
  full_env.insert(full_env.end(), env.begin(), env.end());
  daemon_ = std::make_unique<BackgroundProcess>(argv, root_ / "daemon.out", root_ / "daemon.err",
                                                full_env);
  bool up = PollUntil(
      [&] { return !daemon_->running() || ControlClient::Connect(socket_path()).ok(); },
      std::chrono::seconds(20));
  EXPECT_TRUE(up && daemon_->running()) << "edgesyncd did not come up:\n" << DaemonLog();
  return *daemon_;
}

std::optional<int> DaemonFixture::StopDaemon() {
  daemon_->Signal(SIGTERM);
  auto code = daemon_->Wait(std::chrono::seconds(10));
  daemon_.reset();
  return code;
}

ProcessResult DaemonFixture::Cli(const std::vector<std::string>& args,
                                 std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {EDGESYNC_BIN, "--data-dir", data_dir().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, timeout, {"EDGESYNC_SOCKET=", "XDG_RUNTIME_DIR="});
}

void DaemonFixture::MakeFile(const std::filesystem::path& path, const std::string& content,
                             std::filesystem::perms mode) {
  std::filesystem::create_directories(path.parent_path());
  WriteFileText(path, content);
  std::filesystem::permissions(path, mode);
}

}  // namespace edgesync::testing
