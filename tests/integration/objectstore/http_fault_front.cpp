#include "tests/integration/objectstore/http_fault_front.h"
#include "tests/support/loopback_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace edgesync::objectstore::testing {
namespace {

using ::edgesync::testing::LoopbackAddress;

constexpr int kPollMs = 100;

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

HttpFaultFront::HttpFaultFront(uint16_t target_port) : target_port_(target_port) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr = LoopbackAddress(0);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listen_fd_, 64) != 0) {
    throw std::runtime_error("fault front: cannot listen");
  }
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { Accept(); });
}

HttpFaultFront::~HttpFaultFront() {
  stop_ = true;
  acceptor_.join();
  close(listen_fd_);
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    threads.swap(threads_);
  }
  for (std::thread& thread : threads) thread.join();
}

void HttpFaultFront::SetFault(const HttpFault& fault) {
  std::lock_guard lock(mu_);
  fault_ = fault;
  failed_budget_used_ = 0;
  cut_budget_used_ = 0;
  failed_ = 0;
  cut_ = 0;
  requests_ = 0;
}

void HttpFaultFront::Accept() {
  while (!stop_) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    if (poll(&pfd, 1, kPollMs) <= 0) continue;
    int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    std::lock_guard lock(mu_);
    threads_.emplace_back([this, client] { Serve(client); });
  }
}

void HttpFaultFront::Serve(int client) {
  // Read the request head.
  std::string head;
  char buffer[64 * 1024];
  size_t end = std::string::npos;
  while (!stop_ && end == std::string::npos) {
    pollfd pfd{client, POLLIN, 0};
    if (poll(&pfd, 1, kPollMs) <= 0) continue;
    ssize_t n = recv(client, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    head.append(buffer, static_cast<size_t>(n));
    end = head.find("\r\n\r\n");
  }
  if (end == std::string::npos) {
    close(client);
    return;
  }
  std::string method = head.substr(0, head.find(' '));
  bool fail = false;
  uint64_t cut_after = UINT64_MAX;
  HttpFault fault;
  {
    std::lock_guard lock(mu_);
    fault = fault_;
    if (fault.method.empty() || fault.method == method) {
      ++requests_;
      if (failed_budget_used_ < fault.fail_count) {
        ++failed_budget_used_;
        fail = true;
      } else if (cut_budget_used_ < fault.cut_count) {
        ++cut_budget_used_;
        cut_after = fault.cut_after;
      }
    }
  }

  if (fail) {
    std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + fault.code +
                       "</Code><Message>injected by the test</Message></Error>";
    std::string answer =
        "HTTP/1.1 " + std::to_string(fault.status) + " Injected\r\nContent-Type: application/xml\r\n" +
        "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    ++failed_;  // counted before the client can see the answer and go on
    WriteAll(client, answer.data(), answer.size());
    // Let the client read the answer before the close: half-close, then drain what it still sends.
    shutdown(client, SHUT_WR);
    while (!stop_) {
      pollfd pfd{client, POLLIN, 0};
      if (poll(&pfd, 1, kPollMs) < 0) break;
      if ((pfd.revents & (POLLIN | POLLHUP | POLLERR)) != 0 && recv(client, buffer, sizeof buffer, 0) <= 0)
        break;
    }
    close(client);
    return;
  }

  int upstream = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = LoopbackAddress(target_port_);
  if (connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(upstream);
    close(client);
    return;
  }
  head.insert(end + 2, "Connection: close\r\n");
  bool ok = WriteAll(upstream, head.data(), head.size());
  uint64_t answered = 0;
  while (ok && !stop_) {
    pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    if (poll(fds, 2, kPollMs) <= 0) continue;
    for (int i = 0; i < 2 && ok; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      ssize_t n = recv(fds[i].fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        ok = false;
        break;
      }
      size_t count = static_cast<size_t>(n);
      if (i == 1 && answered + count >= cut_after) {
        ++cut_;
        WriteAll(client, buffer, cut_after - answered);
        ok = false;
        break;
      }
      if (i == 1) answered += count;
      ok = WriteAll(i == 0 ? upstream : client, buffer, count);
    }
  }
  close(upstream);
  close(client);
}

}  // namespace edgesync::objectstore::testing
