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
#include <string>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "tests/support/tcp_relay.h"

namespace edgesync::testing {

class RequestCountingFront {
 public:
  explicit RequestCountingFront(uint16_t upstream_port);

  uint16_t port() const { return relay_.port(); }  // 0 when it could not listen
  // Requests by method ("GET", "PUT", ...) since the last call, and resets the counts.
  std::map<std::string, uint64_t> TakeCounts() EXCLUDES(mu_);
  // False once a request was not followed to its end (a chunked body): counts are then low.
  bool complete() const { return complete_.load(); }

 private:
  // The observer of one connection's client side: finds request heads and skips bodies.
  TcpRelay::Observer RequestParser();
  // Counts one request head; sets the length of the body that follows, or stops following.
  void CountHead(const std::string& head, uint64_t* body_bytes, bool* followed) EXCLUDES(mu_);

  std::atomic<bool> complete_{true};
  Mutex mu_;
  std::map<std::string, uint64_t> counts_ GUARDED_BY(mu_);
  TcpRelay relay_;  // last: its threads use the counts, so it stops first
};

}  // namespace edgesync::testing
