// JoinServer: the token join endpoint (`cluster.join_listen`, docs/security.md "Joining with a
// token"). TLS 1.3 presenting the cluster CA's own certificate, so a new node checks it against
// the CA fingerprint it was given; one request line per connection, answered by
// AnswerJoinRequest. It runs on a thread and io_context of its own: signing and the token file
// are small blocking work, and the daemon's network threads never block.
// Limits: 10 s per connection for TLS, request and answer; requests over kMaxJoinRequestBytes
// are refused; at most kMaxJoinConnections at once (more are closed at accept).
// Thread-safety: Start and the destructor from one thread; the callbacks run on the server's.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "syncd/daemon_config.h"
#include "syncd/join/join_tokens.h"
#include "transport/identity.h"

namespace edgesync {

inline constexpr int kMaxJoinConnections = 16;

struct JoinServerOptions {
  ListenAddress address;
  transport::ClusterCa ca;
  // Called for each refused request (wrong, used, expired or other-role token; malformed or
  // oversized request), with the client's address and the reason.
  std::function<void(const std::string& client, const std::string& reason)> on_refused;
};

class JoinServer {
 public:
  // Binds and starts serving. REQUIRES: `tokens` outlives the server.
  static Result<std::unique_ptr<JoinServer>> Start(JoinServerOptions options, JoinTokenStore& tokens);
  // Stops accepting and serving; a join in flight is cut off (its client sees the connection close).
  ~JoinServer();

  std::string address() const;  // the bound "host:port"

 private:
  struct Impl;
  explicit JoinServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgesync
