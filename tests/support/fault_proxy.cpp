#include "tests/support/fault_proxy.h"
#include "tests/support/loopback_address.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <deque>
#include <memory>
#include <random>
#include <stdexcept>
#include <vector>

namespace edgesync::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxQueuedBytes = 1 << 20;  // per direction, before the proxy stops reading

void SetNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Bytes read from one side, waiting until `due` to be written to the other.
struct Pending {
  Clock::time_point due;
  std::string bytes;
  size_t written = 0;
};

// One direction of a connection: reads `from`, writes `to`.
struct Direction {
  int from = -1;
  int to = -1;
  std::deque<Pending> queue;
  size_t queued = 0;
};

struct Connection {
  int client = -1;
  int upstream = -1;
  Direction dirs[2];
  uint64_t carried = 0;
  bool frozen = false;  // by a kStall set while it was open
  bool dead = false;
};

}  // namespace

FaultProxy::FaultProxy(uint16_t target_port, uint64_t seed)
    : target_port_(target_port), seed_(seed) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr = LoopbackAddress(0);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, 64) != 0) {
    throw std::runtime_error("fault proxy: cannot listen on 127.0.0.1");
  }
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  SetNonBlocking(listen_fd_);
  if (pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::runtime_error("fault proxy: pipe failed");
  }
  thread_ = std::thread([this] { Run(); });
}

FaultProxy::~FaultProxy() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  Wake();
  thread_.join();
  close(listen_fd_);
  close(wake_pipe_[0]);
  close(wake_pipe_[1]);
}

void FaultProxy::SetFault(const LinkFault& fault) {
  {
    std::lock_guard lock(mu_);
    fault_ = fault;
    ++generation_;
  }
  Wake();
}

void FaultProxy::Wake() {
  char byte = 1;
  [[maybe_unused]] ssize_t n = write(wake_pipe_[1], &byte, 1);
}

void FaultProxy::Run() {
  std::mt19937_64 random(seed_);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<std::unique_ptr<Connection>> connections;
  auto close_connection = [&](Connection& c, bool by_fault) {
    if (c.dead) return;
    c.dead = true;
    close(c.client);
    close(c.upstream);
    if (by_fault) ++broken_;
  };
  std::vector<char> buffer(64 * 1024);
  uint64_t seen_generation = 0;

  while (true) {
    LinkFault fault;
    uint64_t generation;
    {
      std::lock_guard lock(mu_);
      if (stop_) break;
      fault = fault_;
      generation = generation_;
    }
    if (generation != seen_generation) {
      seen_generation = generation;
      for (auto& c : connections) c->frozen = fault.kind == LinkFault::Kind::kStall;
    }
    if (fault.kind == LinkFault::Kind::kCut) {
      for (auto& c : connections) close_connection(*c, true);
    }
    std::erase_if(connections, [](const auto& c) { return c->dead; });

    Clock::time_point now = Clock::now();
    std::vector<pollfd> fds = {{wake_pipe_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    // Per connection and direction: index in fds of its `from` and `to` entries (or -1).
    std::vector<std::array<int, 4>> slots;
    auto timeout = std::chrono::milliseconds(200);
    for (auto& c : connections) {
      std::array<int, 4> slot = {-1, -1, -1, -1};
      bool stalled = c->frozen;
      for (int d = 0; d < 2; ++d) {
        Direction& dir = c->dirs[d];
        if (!stalled && dir.queued < kMaxQueuedBytes) {
          slot[d * 2] = static_cast<int>(fds.size());
          fds.push_back({dir.from, POLLIN, 0});
        }
        if (!stalled && !dir.queue.empty()) {
          if (dir.queue.front().due <= now) {
            slot[d * 2 + 1] = static_cast<int>(fds.size());
            fds.push_back({dir.to, POLLOUT, 0});
          } else {
            auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
                dir.queue.front().due - now) + std::chrono::milliseconds(1);
            timeout = std::min(timeout, wait);
          }
        }
      }
      slots.push_back(slot);
    }
    if (poll(fds.data(), fds.size(), static_cast<int>(timeout.count())) < 0) continue;

    if (fds[0].revents) {
      char drain[64];
      while (read(wake_pipe_[0], drain, sizeof drain) > 0) {
      }
    }
    if (fds[1].revents & POLLIN) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        ++accepted_;
        int up = -1;
        if (fault.kind != LinkFault::Kind::kCut) {
          up = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
          sockaddr_in target = LoopbackAddress(target_port_);
          if (connect(up, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) {
            close(up);
            up = -1;
          }
        }
        if (up < 0) {
          close(fd);
        } else {
          SetNonBlocking(fd);
          SetNonBlocking(up);
          int one = 1;
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          auto c = std::make_unique<Connection>();
          c->client = fd;
          c->upstream = up;
          c->dirs[0].from = fd;
          c->dirs[0].to = up;
          c->dirs[1].from = up;
          c->dirs[1].to = fd;
          connections.push_back(std::move(c));
        }
      }
    }

    now = Clock::now();
    for (size_t i = 0; i < slots.size(); ++i) {
      Connection& c = *connections[i];
      for (int d = 0; d < 2 && !c.dead; ++d) {
        Direction& dir = c.dirs[d];
        int in = slots[i][d * 2];
        if (in >= 0 && fds[in].revents) {
          ssize_t n = read(dir.from, buffer.data(), buffer.size());
          if (n <= 0) {
            if (n == 0 || (errno != EAGAIN && errno != EINTR)) close_connection(c, false);
            continue;
          }
          if (fault.kind == LinkFault::Kind::kDrop && unit(random) < fault.drop_probability) {
            close_connection(c, true);
            continue;
          }
          size_t keep = static_cast<size_t>(n);
          bool truncate = false;
          if (fault.kind == LinkFault::Kind::kTruncate &&
              c.carried + keep >= fault.truncate_after) {
            keep = fault.truncate_after > c.carried ? fault.truncate_after - c.carried : 0;
            truncate = true;
          }
          c.carried += keep;
          if (keep > 0) {
            Clock::time_point due = now;
            if (fault.kind == LinkFault::Kind::kDelay) due += fault.delay;
            dir.queue.push_back({due, std::string(buffer.data(), keep), 0});
            dir.queued += keep;
          }
          if (truncate) {
            // Push out what fits under the limit, then cut the connection.
            for (Pending& p : dir.queue) {
              while (p.written < p.bytes.size()) {
                ssize_t w = send(dir.to, p.bytes.data() + p.written, p.bytes.size() - p.written,
                                 MSG_NOSIGNAL);
                if (w <= 0) break;
                p.written += static_cast<size_t>(w);
                forwarded_ += static_cast<uint64_t>(w);
              }
            }
            close_connection(c, true);
            continue;
          }
        }
        int out = slots[i][d * 2 + 1];
        if (out >= 0 && fds[out].revents) {
          if (fds[out].revents & (POLLERR | POLLHUP)) {
            close_connection(c, false);
            continue;
          }
          while (!dir.queue.empty() && dir.queue.front().due <= now) {
            Pending& p = dir.queue.front();
            ssize_t w = send(dir.to, p.bytes.data() + p.written, p.bytes.size() - p.written,
                             MSG_NOSIGNAL);
            if (w < 0) {
              if (errno != EAGAIN && errno != EINTR) close_connection(c, false);
              break;
            }
            p.written += static_cast<size_t>(w);
            forwarded_ += static_cast<uint64_t>(w);
            if (p.written < p.bytes.size()) break;
            dir.queued -= p.bytes.size();
            dir.queue.pop_front();
          }
        }
      }
    }
  }
  for (auto& c : connections) close_connection(*c, false);
}

}  // namespace edgesync::testing
