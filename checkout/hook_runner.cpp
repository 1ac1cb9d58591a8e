#include "checkout/hook_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "store/file_descriptor.h"

namespace edgesync {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kHookPath[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

}  // namespace

Result<HookResult> RunHook(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                           const HookLimits& limits) {
  if (argv.empty() || argv[0].empty()) return Status::InvalidArgument("empty command");
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return Status::IoError(std::string("pipe: ") + std::strerror(errno));

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group: a timeout kills what it started too
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);

  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  envp.push_back(const_cast<char*>(kHookPath));
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, argv[0].c_str(), &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    return Status::NotFound("cannot run '" + argv[0] + "': " + std::strerror(spawned));
  }

  HookResult result;
  const Clock::time_point deadline = Clock::now() + limits.timeout;
  char buffer[8192];
  bool open = true;
  while (open) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || (limits.cancelled && limits.cancelled())) {
      result.timed_out = true;
      break;
    }
    pollfd p{pipe_fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const ssize_t n = ::read(pipe_fds[0], buffer, sizeof(buffer));
    if (n <= 0) {
      open = n < 0 && errno == EINTR;
      continue;
    }
    const size_t room = limits.max_output - std::min(limits.max_output, result.output.size());
    result.output.append(buffer, std::min(room, static_cast<size_t>(n)));
    if (static_cast<size_t>(n) > room) result.truncated = true;
  }
  ::close(pipe_fds[0]);
  // The output closed (or time ran out): the command has exited or is about to; a timed-out
  // one, and anything left in its group, is killed.
  int status = 0;
  // Its exit is waited for on a pidfd (the kernel wakes us), or where there is none, in
  // growing steps from 1 ms: a health check that passes costs no fixed delay.
  FileDescriptor exited(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  auto step = std::chrono::milliseconds(1);
  for (;;) {
    if (result.timed_out) ::kill(-pid, SIGKILL);
    const pid_t done = ::waitpid(pid, &status, result.timed_out ? 0 : WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return result;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (done == 0 && left.count() <= 0) {
      result.timed_out = true;
      continue;
    }
    if (done != 0) continue;
    if (exited.valid()) {
      pollfd p{exited.get(), POLLIN, 0};
      (void)::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    } else {
      std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(step, left));
      step = std::min(step * 2, std::chrono::milliseconds(10));
    }
  }
  if (!result.timed_out) ::kill(-pid, SIGKILL);  // what it left running in its group
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

std::string DescribeHookFailure(const HookResult& result) {
  std::string why = result.timed_out         ? "timed out"
                    : result.exit_code >= 0 ? "exit " + std::to_string(result.exit_code)
                                            : "killed by a signal";
  std::string tail = result.output;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
  if (auto nl = tail.rfind('\n'); nl != std::string::npos) tail = tail.substr(nl + 1);
  if (tail.size() > 200) tail = tail.substr(0, 200) + "...";
  return tail.empty() ? why : why + ": " + tail;
}

}  // namespace edgesync
