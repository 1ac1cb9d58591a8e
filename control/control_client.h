// ControlClient: the CLI's blocking connection to the daemon's control socket. Sends one
// request and hands every line answering it to a callback until the final result or error.
// Plain POSIX sockets (no Asio in the CLI). Needs external synchronization.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "control/control_protocol.h"

namespace edgesync {

class ControlClient {
 public:
  // Unavailable-style failures (no socket, refused, permission denied) come back as IoError
  // with errno kept in connect_errno().
  static Result<ControlClient> Connect(const std::filesystem::path& socket_path);
  ControlClient(ControlClient&& other) noexcept;
  ControlClient& operator=(ControlClient&&) = delete;
  ~ControlClient();

  // Sends `method` and reads until the final line; progress and event lines go to `on_line`.
  // Returns the final response (result or error); a broken connection is an IoError.
  Result<ControlResponse> Call(const std::string& method, const nlohmann::json& params,
                               const std::function<void(const ControlResponse&)>& on_line);

 private:
  explicit ControlClient(int fd) : fd_(fd) {}
  Result<std::string> ReadLine();

  int fd_ = -1;
  std::string buffer_;
  uint64_t next_id_ = 1;
};

}  // namespace edgesync
