// ByteCountingProxy: a TCP relay on 127.0.0.1 that forwards every connection to one upstream
// port and counts the bytes it carries each way. The benchmark puts it between two edgesyncd
// nodes (and between rsync and its daemon) to measure what really crosses the socket, TLS
// records and protocol framing included. Counters are thread-safe; the rest needs external
// synchronization. Stops (closing every connection) on destruction.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace edgesync::testing {

class ByteCountingProxy {
 public:
  explicit ByteCountingProxy(uint16_t upstream_port);
  ~ByteCountingProxy();
  ByteCountingProxy(const ByteCountingProxy&) = delete;
  ByteCountingProxy& operator=(const ByteCountingProxy&) = delete;

  uint16_t port() const { return port_; }  // 0 when it could not listen
  // Bytes carried from the connecting side to upstream, and back, since construction.
  uint64_t to_upstream() const { return to_upstream_.load(); }
  uint64_t from_upstream() const { return from_upstream_.load(); }
  uint64_t total() const { return to_upstream() + from_upstream(); }

 private:
  void AcceptLoop();
  void Pump(int from, int to, std::atomic<uint64_t>* counter);

  uint16_t upstream_port_;
  uint16_t port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> to_upstream_{0}, from_upstream_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> fds_;               // guarded by mu_
  std::vector<std::thread> pumps_;     // guarded by mu_
};

}  // namespace edgesync::testing
