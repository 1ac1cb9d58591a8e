#include "control/control_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <utility>

namespace edgesync {

Result<ControlClient> ControlClient::Connect(const std::filesystem::path& socket_path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.native().size() >= sizeof(addr.sun_path)) {
    return Status::InvalidArgument("socket path " + socket_path.string() + " is too long");
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.native().size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IoError(std::strerror(errno));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EACCES || err == EPERM) {
      return Status::FailedPrecondition("permission denied on " + socket_path.string() +
                                        " (the socket is mode 0660: run as the daemon's user or "
                                        "a member of its socket group)");
    }
    return Status::IoError("cannot connect to " + socket_path.string() + ": " +
                           std::strerror(err));
  }
  return ControlClient(fd);
}

ControlClient::ControlClient(ControlClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      buffer_(std::move(other.buffer_)),
      next_id_(other.next_id_) {}

ControlClient::~ControlClient() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::string> ControlClient::ReadLine() {
  for (;;) {
    size_t newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    if (buffer_.size() > kMaxControlLineBytes * 16) {
      return Status::Corruption("daemon sent an over-long line");
    }
    char chunk[65536];
    ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError(std::string("reading from the daemon: ") + std::strerror(errno));
    if (n == 0) return Status::IoError("the daemon closed the connection");
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

Result<ControlResponse> ControlClient::Call(
    const std::string& method, const nlohmann::json& params,
    const std::function<void(const ControlResponse&)>& on_line) {
  ControlRequest request{static_cast<int64_t>(next_id_++), method, params};
  std::string line = EncodeControlRequest(request);
  std::string_view rest = line;
  while (!rest.empty()) {
    ssize_t n = ::send(fd_, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError(std::string("sending to the daemon: ") + std::strerror(errno));
    rest.remove_prefix(static_cast<size_t>(n));
  }
  for (;;) {
    Result<std::string> text = ReadLine();
    if (!text.ok()) return text.status();
    Result<ControlResponse> response = ParseControlResponse(*text);
    if (!response.ok()) return response.status();
    if (response->id != request.id && !response->id.is_null()) continue;
    if (response->kind == ControlResponse::Kind::kResult ||
        response->kind == ControlResponse::Kind::kError) {
      return response;
    }
    if (on_line) on_line(*response);
  }
}

}  // namespace edgesync
