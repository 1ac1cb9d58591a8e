#include "tests/bench/replication/rsync_daemon.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/poll_until.h"

namespace edgesync::testing {

namespace fs = std::filesystem;

uint16_t FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

RsyncDaemon::RsyncDaemon(const fs::path& dir) : dir_(dir), port_(FreeLoopbackPort()) {
  fs::path conf = dir_.parent_path() / "rsyncd.conf";
  // As the bench's own user (as root, rsyncd would otherwise switch to nobody).
  WriteFileText(conf, "use chroot = no\nuid = " + std::to_string(::getuid()) + "\ngid = " +
                          std::to_string(::getgid()) + "\nmax connections = 4\npid file = " +
                          (dir_.parent_path() / "rsyncd.pid").string() +
                          "\n[dst]\n  path = " + dir_.string() +
                          "\n  read only = false\n");
  process_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"/usr/bin/rsync", "--daemon", "--no-detach",
                               "--config=" + conf.string(), "--address=127.0.0.1",
                               "--port=" + std::to_string(port_)},
      dir_.parent_path() / "rsyncd.out", dir_.parent_path() / "rsyncd.err");
  PollUntil(  // until it accepts
      [&] {
        return RunProcess({"/usr/bin/rsync", "rsync://127.0.0.1:" + std::to_string(port_) + "/"},
                          std::chrono::seconds(5))
                   .exit_code == 0;
      },
      std::chrono::seconds(5));
}

double RsyncDaemon::Push(const fs::path& source, const std::string& dest) {
  auto start = std::chrono::steady_clock::now();
  ProcessResult result = RunProcess({"/usr/bin/rsync", "-a", source.string(),
                                     "rsync://127.0.0.1:" + std::to_string(port_) + "/dst/" +
                                         dest + "/"},
                                    std::chrono::minutes(10));
  if (result.exit_code != 0) return -1;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace edgesync::testing
