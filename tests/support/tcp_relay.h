// TcpRelay: a TCP relay on 127.0.0.1 that forwards every connection to one upstream port and
// shows each direction's bytes, as they pass, to an observer made for that direction of that
// connection (so an observer may keep per-connection state, such as a parser). The benchmarks
// build on it to count bytes (ByteCountingProxy) and HTTP requests (RequestCountingFront)
// without changing what crosses the socket. Observers run on the relay's threads; the rest
// needs external synchronization. Stops (closing every connection) on destruction.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"

namespace edgesync::testing {

class TcpRelay {
 public:
  using Observer = std::function<void(std::string_view bytes)>;
  // Called once per direction of each new connection; `to_upstream` is the client's side.
  using ObserverFactory = std::function<Observer(bool to_upstream)>;

  TcpRelay(uint16_t upstream_port, ObserverFactory make_observer);
  ~TcpRelay();
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;

  uint16_t port() const { return port_; }  // 0 when it could not listen

 private:
  void AcceptLoop();
  void Pump(int from, int to, const Observer& observe);

  const uint16_t upstream_port_;
  const ObserverFactory make_observer_;
  uint16_t port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  Mutex mu_;
  std::vector<int> fds_ GUARDED_BY(mu_);
  std::vector<std::thread> pumps_ GUARDED_BY(mu_);
};

}  // namespace edgesync::testing
