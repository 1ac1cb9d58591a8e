#include "tests/support/process_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/support/poll_until.h"

extern char** environ;

namespace edgesync::testing {
namespace {

std::vector<std::string> MergedEnvironment(const std::vector<std::string>& extra) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    size_t eq = entry.find('=');
    if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const std::string& entry : extra) {
    size_t eq = entry.find('=');
    std::string name = entry.substr(0, eq), value = entry.substr(eq + 1);
    if (value.empty()) vars.erase(name);
    else vars[name] = value;
  }
  std::vector<std::string> merged;
  for (const auto& [name, value] : vars) merged.push_back(name + "=" + value);
  return merged;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

pid_t Spawn(const std::vector<std::string>& argv_in, const std::vector<std::string>& env_in,
            int stdout_fd, int stderr_fd, int close_a, int close_b) {
  std::vector<std::string> argv = argv_in;
  std::vector<std::string> env = MergedEnvironment(env_in);
  auto argv_c = CStrings(argv);
  auto env_c = CStrings(env);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, stderr_fd, STDERR_FILENO);
  if (close_a >= 0) posix_spawn_file_actions_addclose(&actions, close_a);
  if (close_b >= 0) posix_spawn_file_actions_addclose(&actions, close_b);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv_c[0], &actions, nullptr, argv_c.data(), env_c.data());
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

int DecodeStatus(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                         const std::vector<std::string>& env) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) return {};
  pid_t pid = Spawn(argv, env, out_pipe[1], err_pipe[1], out_pipe[0], err_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  ProcessResult result;
  if (pid < 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.err = "spawn failed: " + argv[0];
    return result;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    if (poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = result.timed_out ? -1 : DecodeStatus(status);
  return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::filesystem::path& stdout_file,
                                     const std::filesystem::path& stderr_file,
                                     const std::vector<std::string>& env) {
  int out_fd = open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int err_fd = open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  pid_ = Spawn(argv, env, out_fd, err_fd, -1, -1);
  close(out_fd);
  close(err_fd);
}

BackgroundProcess::~BackgroundProcess() { Stop(); }

bool BackgroundProcess::running() {
  if (pid_ < 0 || exit_code_) return false;
  return !Wait(std::chrono::milliseconds(0)).has_value();
}

void BackgroundProcess::Signal(int signo) {
  if (pid_ > 0 && !exit_code_) kill(pid_, signo);
}

std::optional<int> BackgroundProcess::Wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  if (pid_ < 0) return -1;
  PollUntil(
      [&] {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
        exit_code_ = DecodeStatus(status);
        return true;
      },
      timeout, std::chrono::milliseconds(10));
  return exit_code_;
}

void BackgroundProcess::Stop() {
  if (pid_ < 0 || exit_code_) return;
  Signal(SIGTERM);
  if (!Wait(std::chrono::seconds(10))) {
    kill(pid_, SIGKILL);
    Wait(std::chrono::seconds(10));
  }
}

double CpuSeconds(pid_t pid) {
  std::string text = ReadFileText("/proc/" + std::to_string(pid) + "/stat");
  size_t end = text.rfind(')');  // the command name may contain spaces
  if (end == std::string::npos) return -1;
  std::istringstream fields(text.substr(end + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string ReadFileText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFileText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace edgesync::testing
