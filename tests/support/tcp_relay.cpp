#include "tests/support/tcp_relay.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/loopback_address.h"

namespace edgesync::testing {

TcpRelay::TcpRelay(uint16_t upstream_port, ObserverFactory make_observer)
    : upstream_port_(upstream_port), make_observer_(std::move(make_observer)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = LoopbackAddress(0);
  socklen_t len = sizeof(addr);
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return;
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TcpRelay::~TcpRelay() {
  stopping_ = true;
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  std::vector<std::thread> pumps;
  std::vector<int> fds;
  {
    MutexLock lock(mu_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    pumps.swap(pumps_);
    fds.swap(fds_);
  }
  for (auto& t : pumps) t.join();
  for (int fd : fds) ::close(fd);
}

void TcpRelay::AcceptLoop() {
  while (!stopping_) {
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (stopping_) return;
      continue;
    }
    int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = LoopbackAddress(upstream_port_);
    if (upstream < 0 || ::connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(client);
      if (upstream >= 0) ::close(upstream);
      continue;
    }
    int one = 1;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ::setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    MutexLock lock(mu_);
    fds_.push_back(client);
    fds_.push_back(upstream);
    pumps_.emplace_back(
        [this, client, upstream, observe = make_observer_(true)] { Pump(client, upstream, observe); });
    pumps_.emplace_back(
        [this, client, upstream, observe = make_observer_(false)] { Pump(upstream, client, observe); });
  }
}

void TcpRelay::Pump(int from, int to, const Observer& observe) {
  std::vector<char> buffer(256 << 10);
  while (true) {
    ssize_t n = ::read(from, buffer.data(), buffer.size());
    if (n <= 0) break;
    if (observe) observe(std::string_view(buffer.data(), static_cast<size_t>(n)));
    for (ssize_t sent = 0; sent < n;) {
      ssize_t w = ::send(to, buffer.data() + sent, static_cast<size_t>(n - sent), MSG_NOSIGNAL);
      if (w <= 0) {
        ::shutdown(from, SHUT_RDWR);
        return;
      }
      sent += w;
    }
  }
  ::shutdown(to, SHUT_WR);  // pass the end of stream on
}

}  // namespace edgesync::testing
