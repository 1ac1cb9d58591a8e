#include "tests/bench/objectstore/request_counting_front.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "tests/support/loopback_address.h"

namespace edgesync::testing {
namespace {

// The value of header `name` (lower case, with the colon) in `head` (lower case); "" if absent.
std::string Header(const std::string& head, const std::string& name) {
  size_t at = head.find("\r\n" + name);
  if (at == std::string::npos) return "";
  at += 2 + name.size();
  size_t end = head.find("\r\n", at);
  std::string value = head.substr(at, end - at);
  value.erase(0, value.find_first_not_of(" \t"));
  return value;
}

}  // namespace

RequestCountingFront::RequestCountingFront(uint16_t upstream_port) : upstream_port_(upstream_port) {
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

RequestCountingFront::~RequestCountingFront() {
  stopping_ = true;
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  std::vector<std::thread> pumps;
  {
    std::lock_guard lock(mu_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    pumps.swap(pumps_);
  }
  for (auto& t : pumps) t.join();
  for (int fd : fds_) ::close(fd);
}

std::map<std::string, uint64_t> RequestCountingFront::TakeCounts() {
  std::lock_guard lock(mu_);
  std::map<std::string, uint64_t> counts;
  counts.swap(counts_);
  return counts;
}

void RequestCountingFront::AcceptLoop() {
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
    std::lock_guard lock(mu_);
    fds_.push_back(client);
    fds_.push_back(upstream);
    pumps_.emplace_back([this, client, upstream] { Pump(client, upstream, true); });
    pumps_.emplace_back([this, client, upstream] { Pump(upstream, client, false); });
  }
}

void RequestCountingFront::CountHead(const std::string& head, uint64_t* body_bytes, bool* followed) {
  std::string lower = head;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (Header(lower, "transfer-encoding:").find("chunked") != std::string::npos) {
    *followed = false;
    complete_ = false;
  }
  *body_bytes = std::strtoull(Header(lower, "content-length:").c_str(), nullptr, 10);
  std::lock_guard lock(mu_);
  ++counts_[head.substr(0, head.find(' '))];
}

void RequestCountingFront::Pump(int from, int to, bool requests) {
  std::vector<char> buffer(256 << 10);
  std::string head;        // the request head read so far
  uint64_t body_left = 0;  // bytes of the current request's body still to come
  bool followed = requests;
  while (true) {
    ssize_t n = ::read(from, buffer.data(), buffer.size());
    if (n <= 0) break;
    for (ssize_t sent = 0; sent < n;) {
      ssize_t w = ::send(to, buffer.data() + sent, static_cast<size_t>(n - sent), MSG_NOSIGNAL);
      if (w <= 0) {
        ::shutdown(from, SHUT_RDWR);
        return;
      }
      sent += w;
    }
    const char* data = buffer.data();
    size_t size = static_cast<size_t>(n);
    while (followed && size > 0) {
      if (body_left > 0) {
        const size_t skip = static_cast<size_t>(std::min<uint64_t>(body_left, size));
        body_left -= skip;
        data += skip;
        size -= skip;
        continue;
      }
      head.append(data, size);
      const size_t end = head.find("\r\n\r\n");
      if (end == std::string::npos) break;
      const size_t rest = head.size() - (end + 4);  // bytes after the head, all from this read
      CountHead(head.substr(0, end + 2), &body_left, &followed);
      data += size - rest;
      size = rest;
      head.clear();
    }
  }
  ::shutdown(to, SHUT_WR);  // pass the end of stream on
}

}  // namespace edgesync::testing
