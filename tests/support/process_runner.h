// Runs child processes for the integration tests: to completion with captured output and a
// time limit, or in the background with stdout/stderr sent to files. Never leaves a child
// behind: BackgroundProcess kills and reaps on destruction.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace edgesync::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal or the time limit
  bool timed_out = false;
  std::string out;
  std::string err;
};

// `env` entries "NAME=value" are added to (or replace) the test's environment; "NAME=" with
// nothing after '=' removes NAME.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30),
                         const std::vector<std::string>& env = {});

class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::filesystem::path& stdout_file,
                    const std::filesystem::path& stderr_file,
                    const std::vector<std::string>& env = {});
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void Signal(int signo);
  // Exit code once the process exits within `timeout` (-1 if killed by a signal), nullopt
  // on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL after a grace period; reaps.
  void Stop();

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// User plus system CPU seconds process `pid` has used so far (/proc/<pid>/stat); -1 if unknown.
double CpuSeconds(pid_t pid);

std::string ReadFileText(const std::filesystem::path& path);
void WriteFileText(const std::filesystem::path& path, const std::string& text);

}  // namespace edgesync::testing
