// RequestCountingFront: a TCP relay on 127.0.0.1 between S3 clients and one S3 server that
// counts the HTTP requests it carries, by method. It parses only the client's side of each
// connection (request heads, then Content-Length bytes of body) and forwards every byte as it
// is, so connections are reused exactly as without it. A chunked request body cannot be
// skipped without decoding it; the front then stops counting on that connection and says so
// (complete()). Counters are thread-safe; the rest needs external synchronization. Stops
// (closing every connection) on destruction.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace edgesync::testing {

class RequestCountingFront {
 public:
  explicit RequestCountingFront(uint16_t upstream_port);
  ~RequestCountingFront();
  RequestCountingFront(const RequestCountingFront&) = delete;
  RequestCountingFront& operator=(const RequestCountingFront&) = delete;

  uint16_t port() const { return port_; }  // 0 when it could not listen
  // Requests by method ("GET", "PUT", ...) since the last call, and resets the counts.
  std::map<std::string, uint64_t> TakeCounts();
  // False once a request was not followed to its end (a chunked body): counts are then low.
  bool complete() const { return complete_.load(); }

 private:
  void AcceptLoop();
  // Copies `from` to `to`; counts requests on the way when `requests` (the client's side).
  void Pump(int from, int to, bool requests);
  void CountHead(const std::string& head, uint64_t* body_bytes, bool* followed);

  uint16_t upstream_port_;
  uint16_t port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> complete_{true};
  std::thread acceptor_;
  std::mutex mu_;
  std::map<std::string, uint64_t> counts_;  // guarded by mu_
  std::vector<int> fds_;                    // guarded by mu_
  std::vector<std::thread> pumps_;          // guarded by mu_
};

}  // namespace edgesync::testing
