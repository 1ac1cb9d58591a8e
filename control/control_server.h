// ControlServer: the daemon's unix control socket. Accepts connections, reads one JSON request
// per line, runs the dispatcher's handler on its worker lane and writes progress/event/result
// lines back (docs/control-protocol.md). Several requests may be in flight per connection
// (responses carry the request id); a client that disconnects cancels its requests.
//
// One object per connection (ControlSession, alive while a read, write or request is pending),
// each on its own strand; outbound lines go through a bounded per-connection queue with one write
// in flight, and a client that does not read is disconnected rather than buffered forever.
//
// Bind/Start/BeginShutdown/ForceClose are called from the daemon's wiring; Idle() from any
// thread. The io_context, dispatcher and pools must outlive the server.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "base/status.h"
#include "control/command_dispatcher.h"
#include "control/worker_pools.h"

namespace edgesync {

struct ControlServerOptions {
  std::filesystem::path socket_path;
  std::string socket_group;  // empty: keep the daemon's primary group
  size_t max_connections = 64;
  size_t max_requests_per_connection = 8;
  size_t max_queued_output_bytes = 8u << 20;
};

class ControlServer {
 public:
  // Creates the socket's parent directory when missing (0750 with a group, else 0700), removes
  // a stale socket (refuses when another daemon answers on it), binds, sets mode 0660 and the
  // group. Errors name the path and are configuration errors for the caller.
  static Result<std::unique_ptr<ControlServer>> Bind(boost::asio::io_context& io,
                                                     const CommandDispatcher& dispatcher,
                                                     WorkerPools& pools,
                                                     const ControlServerOptions& options);
  ~ControlServer();

  void Start();
  // Stops accepting, cancels in-flight requests and stops reading; connections close once their
  // handlers returned and their responses are written. Removes the socket file.
  void BeginShutdown();
  // True when no connection is left.
  bool Idle() const;
  // Closes whatever is still open (after the shutdown grace period).
  void ForceClose();

 private:
  struct Impl;
  explicit ControlServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgesync
