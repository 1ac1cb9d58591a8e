// RawWebSocketPeer: a hand-driven plaintext WebSocket client for tests that must send what a
// real Transport never would (malformed frames, data before the hello).
// Thread-safety: needs external synchronization; blocking calls.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "transport/hello.h"
#include "transport/lane.h"

namespace edgesync::transport::testing {

class RawWebSocketPeer {
 public:
  RawWebSocketPeer();
  ~RawWebSocketPeer();

  // Connects to ws://127.0.0.1:port/sync (the server must run in plaintext test mode).
  bool Connect(std::uint16_t port);
  bool SendFrame(Lane lane, std::uint32_t type, const std::string& payload);
  bool SendBytes(const std::string& bytes);
  // Next WebSocket message, or std::nullopt once the connection is closed or broken.
  std::optional<std::string> ReadMessage();
  // Code and reason of the close frame the server sent (valid after ReadMessage saw the close).
  std::uint16_t close_code() const;
  std::string close_reason() const;
  // Plays the client side of the hello exchange; true when the server accepted.
  bool CompleteHello(const Hello& hello);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgesync::transport::testing
