// HttpStatusServer: the daemon's status address (network.http_status). `GET /status` upgrades
// to the WebSocket feed (StatusHub), `GET /metrics` answers Prometheus text, `GET /` the
// dashboard page; anything else is 404. Token and Origin checks as in http_access.h.
//
// Limits keep a crowd of clients cheap: request headers are bounded, idle HTTP connections and
// silent WebSocket peers time out, at most `max_clients` feeds are open at once (503 beyond),
// and each feed has a bounded outbound queue: a client that cannot keep up is disconnected.
// Runs on the caller's io_context; Beast lives only in the .cpp. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "status/outbound_queue.h"
#include "status/status_hub.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace edgesync {

struct HttpStatusOptions {
  std::string token;                         // empty: no token required
  std::vector<std::string> allowed_origins;  // complete list (defaults already filled in)
  size_t max_clients = 1000;
  size_t max_header_bytes = 8 * 1024;
  std::chrono::seconds http_idle_timeout{30};
  std::chrono::seconds websocket_idle_timeout{60};  // pings keep an idle but live feed open
  OutboundLimits queue;
  // Content of the responses.
  std::function<std::string()> snapshot;  // the feed's first message
  std::function<std::string()> metrics;   // Prometheus text
  std::string_view page;                  // HTML of GET /
  // Called for a request refused for a missing or wrong token (`client` is its address).
  std::function<void(const std::string& client)> on_auth_failure;
};

class HttpStatusServer {
 public:
  // Takes over `listening_fd`, a TCP socket already bound (not yet listening), and serves it.
  static Result<std::unique_ptr<HttpStatusServer>> Start(boost::asio::io_context& io, int bound_fd,
                                                         StatusHub& hub, HttpStatusOptions options);
  ~HttpStatusServer();

  // Stops accepting and closes every connection. Non-blocking; the io_context finishes the rest.
  void Stop();
  size_t feed_clients() const;
  uint64_t dropped_slow_clients() const;

  class Impl;

 private:
  explicit HttpStatusServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace edgesync
