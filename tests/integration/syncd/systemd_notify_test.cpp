// The sd_notify protocol without systemd: the test binds its own datagram socket as
// NOTIFY_SOCKET, sets WATCHDOG_USEC, and checks READY=1, STATUS=, WATCHDOG=1 and STOPPING=1.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "daemon_fixture.h"

namespace edgesync::testing {
namespace {

class SystemdNotifyTest : public DaemonFixture {
 protected:
  void TearDown() override {
    if (fd_ >= 0) close(fd_);
    DaemonFixture::TearDown();
  }
  std::string BindNotifySocket() {
    std::string path = (root() / "notify.sock").string();
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return path;
  }
  // Collects datagrams until `wanted` appears in one or the timeout passes.
  bool WaitForMessage(const std::string& wanted, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd pfd{fd_, POLLIN, 0};
      if (poll(&pfd, 1, 50) <= 0) continue;
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) continue;
      std::string message(buf, static_cast<size_t>(n));
      messages_ += message + "\n---\n";
      if (message.find(wanted) != std::string::npos) return true;
    }
    return false;
  }
  int fd_ = -1;
  std::string messages_;
};

TEST_F(SystemdNotifyTest, ReadyStatusWatchdogStopping) {
  std::string notify = BindNotifySocket();
  StartDaemon({}, {"NOTIFY_SOCKET=" + notify, "WATCHDOG_USEC=300000"});
  EXPECT_TRUE(WaitForMessage("READY=1", std::chrono::seconds(10))) << messages_;
  EXPECT_NE(messages_.find("STATUS="), std::string::npos) << messages_;
  // Pings every WATCHDOG_USEC/2: several within a second.
  int pings = 0;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (std::chrono::steady_clock::now() < until) {
    if (WaitForMessage("WATCHDOG=1", std::chrono::milliseconds(400))) ++pings;
  }
  EXPECT_GE(pings, 3) << messages_;
  daemon().Signal(SIGTERM);
  EXPECT_TRUE(WaitForMessage("STOPPING=1", std::chrono::seconds(5))) << messages_;
  EXPECT_EQ(daemon().Wait(std::chrono::seconds(5)), 0);
}

TEST_F(SystemdNotifyTest, ReadyOnlyAfterSocketIsBound) {
  std::string notify = BindNotifySocket();
  // Started by hand so the fixture's wait for the socket does not hide the ordering.
  BackgroundProcess daemon({EDGESYNCD_BIN, "--data-dir", data_dir().string(), "--http-status",
                            "127.0.0.1:0"},
                           root() / "d.out", root() / "d.err", {"NOTIFY_SOCKET=" + notify});
  ASSERT_TRUE(WaitForMessage("READY=1", std::chrono::seconds(20))) << messages_;
  EXPECT_TRUE(std::filesystem::exists(socket_path()));
  EXPECT_EQ(Cli({"status"}).exit_code, 0);
}

}  // namespace
}  // namespace edgesync::testing
