// DaemonFixture: a gtest fixture owning a temp directory under /tmp (short, so the default
// control socket path <data>/control.sock fits) and helpers to start edgesyncd on it and run
// the edgesync CLI against it. TearDown stops every daemon and removes the directory.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process_runner.h"

namespace edgesync::testing {

class DaemonFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::filesystem::path data_dir() const { return root_ / "data"; }
  std::filesystem::path socket_path() const { return data_dir() / "control.sock"; }
  const std::filesystem::path& root() const { return root_; }

  // Starts edgesyncd on data_dir() with `extra_args` and waits until its socket answers.
  // HTTP status is bound to an ephemeral port so tests can run in parallel.
  BackgroundProcess& StartDaemon(const std::vector<std::string>& extra_args = {},
                                 const std::vector<std::string>& env = {});
  BackgroundProcess& daemon() { return *daemon_; }
  // Stops the daemon (SIGTERM) and returns its exit code.
  std::optional<int> StopDaemon();
  std::string DaemonLog() const { return ReadFileText(root_ / "daemon.err"); }

  // Runs `edgesync --data-dir <data> args...`.
  ProcessResult Cli(const std::vector<std::string>& args,
                    std::chrono::milliseconds timeout = std::chrono::seconds(60));

  // Writes a file (creating parents) with `mode`.
  void MakeFile(const std::filesystem::path& path, const std::string& content,
                std::filesystem::perms mode = std::filesystem::perms(0644));

 private:
  std::filesystem::path root_;
  std::unique_ptr<BackgroundProcess> daemon_;
};

}  // namespace edgesync::testing
