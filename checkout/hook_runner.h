// RunHook: runs a deployment's hook or health command the way an operator can reason about:
// an argv executed directly (no shell unless the argv names one), a clean environment (PATH
// plus the EDGESYNC_* variables given), its own process group killed when the time is up, and
// its output (stdout and stderr together) kept up to a limit, the rest read and dropped so a
// chatty command never blocks or fills memory. Thread-safe: each call is independent.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"

namespace edgesync {

struct HookResult {
  int exit_code = -1;      // -1: killed by a signal or not started
  bool timed_out = false;  // killed at the deadline
  std::string output;      // the first `max_output` bytes
  bool truncated = false;
};

struct HookLimits {
  std::chrono::milliseconds timeout{30'000};
  size_t max_output = 16 * 1024;
  // Polled about once a second; true kills the command as a timeout would (daemon shutdown).
  std::function<bool()> cancelled;
};

// NotFound when argv[0] cannot be executed (missing, not executable), InvalidArgument for an
// empty argv; otherwise the result, whatever the command's exit.
Result<HookResult> RunHook(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                           const HookLimits& limits);

// "exit 3", "timed out after 5 s", "killed by a signal", with the output's last line.
std::string DescribeHookFailure(const HookResult& result);

}  // namespace edgesync
