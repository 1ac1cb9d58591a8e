// Blocking HTTP and WebSocket clients for the status address tests (Beast, loopback only).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace edgesync::testing {

struct HttpReply {
  int status = 0;  // 0: no answer (connection failed)
  std::string body;
  std::map<std::string, std::string> headers;
};

// GET `target` on 127.0.0.1:`port` with extra `headers`.
HttpReply HttpGet(uint16_t port, const std::string& target,
                  const std::map<std::string, std::string>& headers = {});
// Sends `raw` as the whole request and reads one response.
HttpReply HttpRaw(uint16_t port, const std::string& raw);

// A /status WebSocket client. Open() returns the HTTP status of the handshake (101 on success).
class StatusClient {
 public:
  StatusClient();
  ~StatusClient();
  // `receive_buffer` > 0 shrinks the socket's receive buffer before connecting (slow clients).
  int Open(uint16_t port, const std::string& target, const std::map<std::string, std::string>& headers = {},
           int receive_buffer = 0);
  // Open() returns 101 on success, else the HTTP status the server refused the upgrade with.
  // The next message, or nullopt on timeout or a closed connection.
  std::optional<std::string> Read(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Parsed; waits until a message matches or `timeout` passes.
  std::optional<nlohmann::json> WaitFor(const std::function<bool(const nlohmann::json&)>& pred,
                                        std::chrono::milliseconds timeout);
  bool closed() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace edgesync::testing
