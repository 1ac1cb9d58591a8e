#include "control/control_server.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>  // before Asio: Boost 1.74 coroutines need std::exchange
#include <atomic>
#include <deque>
#include <map>
#include <vector>

#include <boost/asio.hpp>
#include <spdlog/spdlog.h>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "control/control_protocol.h"

namespace edgesync {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using UnixSocket = asio::local::stream_protocol::socket;
using UnixAcceptor = asio::local::stream_protocol::acceptor;
using nlohmann::json;

std::string Errno(int err) { return std::error_code(err, std::generic_category()).message(); }

// Creates the socket's directory if missing. A directory we would share with other users (the
// /tmp fallback) must be ours and not a symlink.
Status PrepareSocketDirectory(const std::filesystem::path& dir, bool group_access) {
  struct stat st{};
  if (::lstat(dir.c_str(), &st) != 0) {
    std::error_code ec;
    std::filesystem::create_directories(dir.parent_path(), ec);
    if (::mkdir(dir.c_str(), group_access ? 0750 : 0700) != 0 && errno != EEXIST) {
      return Status::IoError("cannot create control socket directory " + dir.string() + ": " +
                             Errno(errno));
    }
    if (::lstat(dir.c_str(), &st) != 0) {
      return Status::IoError("cannot stat " + dir.string() + ": " + Errno(errno));
    }
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::FailedPrecondition("control socket directory " + dir.string() +
                                      " is not a directory");
  }
  if (st.st_uid != ::geteuid() && (st.st_mode & S_ISVTX) == 0 && (st.st_mode & 0002) != 0) {
    return Status::FailedPrecondition("control socket directory " + dir.string() +
                                      " is world-writable and not ours");
  }
  return Status::Ok();
}

// Refuses a socket path another daemon answers on; removes a stale one.
Status ClearSocketPath(asio::io_context& io, const std::filesystem::path& path) {
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0) return Status::Ok();
  if (!S_ISSOCK(st.st_mode)) {
    return Status::FailedPrecondition("control socket path " + path.string() +
                                      " exists and is not a socket");
  }
  UnixSocket probe(io);
  boost::system::error_code ec;
  probe.connect(asio::local::stream_protocol::endpoint(path.string()), ec);
  if (!ec) {
    return Status::FailedPrecondition("another daemon is listening on control socket " +
                                      path.string());
  }
  if (::unlink(path.c_str()) != 0) {
    return Status::IoError("cannot remove stale socket " + path.string() + ": " + Errno(errno));
  }
  return Status::Ok();
}

Result<gid_t> LookUpGroup(const std::string& name) {
  std::vector<char> buf(16384);
  struct group grp{};
  struct group* found = nullptr;
  int rc = ::getgrnam_r(name.c_str(), &grp, buf.data(), buf.size(), &found);
  if (rc != 0 || found == nullptr) {
    return Status::InvalidArgument("control.group '" + name + "' is not a known group");
  }
  return found->gr_gid;
}

}  // namespace

struct ServerShared;

// One client connection. Lives while its read loop, a write or a request is pending.
class ControlSession : public std::enable_shared_from_this<ControlSession> {
 public:
  ControlSession(UnixSocket socket, ServerShared& shared)
      : socket_(std::move(socket)), shared_(shared) {}

  void Start() {
    asio::co_spawn(socket_.get_executor(), ReadLoop(shared_from_this()), asio::detached);
  }
  // Any thread.
  void Shutdown() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      self->CancelRequests();
      boost::system::error_code ec;
      self->socket_.shutdown(UnixSocket::shutdown_receive, ec);
      self->MaybeClose();
    });
  }
  void ForceClose() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      self->CancelRequests();
      boost::system::error_code ec;
      self->socket_.close(ec);
    });
  }
  // Any thread: queues one line.
  void Send(std::string line) {
    asio::post(socket_.get_executor(), [self = shared_from_this(), line = std::move(line)]() mutable {
      self->Enqueue(std::move(line));
    });
  }

 private:
  awaitable<void> ReadLoop(std::shared_ptr<ControlSession> keep_alive);
  void HandleLine(std::string_view line);
  void Enqueue(std::string line);
  void WriteNext();
  void FinishRequest(uint64_t seq);
  void CancelRequests() {
    for (auto& [seq, token] : in_flight_) token->Cancel();
  }
  void MaybeClose() {
    if (closing_ && in_flight_.empty() && outbox_.empty() && !writing_) {
      boost::system::error_code ec;
      socket_.close(ec);
    }
  }

  UnixSocket socket_;
  ServerShared& shared_;
  std::string read_buffer_;
  std::deque<std::string> outbox_;
  size_t outbox_bytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;  // no more requests are read; close when the rest is done
  uint64_t next_seq_ = 0;
  std::map<uint64_t, std::shared_ptr<CancellationToken>> in_flight_;
};

// State shared by the acceptor and all sessions.
struct ServerShared {
  asio::io_context& io;
  const CommandDispatcher& dispatcher;
  WorkerPools& pools;
  ControlServerOptions options;
  std::atomic<bool> shutting_down{false};
  mutable Mutex sessions_mu;
  std::vector<std::weak_ptr<ControlSession>> sessions GUARDED_BY(sessions_mu);

  std::vector<std::shared_ptr<ControlSession>> LiveSessions() const {
    MutexLock lock(sessions_mu);
    std::vector<std::shared_ptr<ControlSession>> live;
    for (const auto& weak : sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
    return live;
  }
  size_t PruneAndCount() {
    MutexLock lock(sessions_mu);
    std::erase_if(sessions, [](const auto& weak) { return weak.expired(); });
    return sessions.size();
  }
};

// The unnamed parameter keeps the session alive in the coroutine frame.
awaitable<void> ControlSession::ReadLoop(std::shared_ptr<ControlSession>) {
  while (!closing_) {
    boost::system::error_code ec;
    size_t n = co_await asio::async_read_until(
        socket_, asio::dynamic_buffer(read_buffer_, kMaxControlLineBytes), '\n',
        asio::redirect_error(use_awaitable, ec));
    if (ec == asio::error::not_found) {
      Enqueue(EncodeError(json(), kErrorBadRequest,
                          "request line longer than " + std::to_string(kMaxControlLineBytes) +
                              " bytes"));
      break;
    }
    if (ec) {
      if (ec != asio::error::eof && ec != asio::error::operation_aborted) {
        spdlog::debug("control connection read: {}", ec.message());
      }
      break;
    }
    std::string line = read_buffer_.substr(0, n - 1);
    read_buffer_.erase(0, n);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) HandleLine(line);
  }
  // The client is gone or we are closing: nobody will read results of long requests.
  closing_ = true;
  CancelRequests();
  MaybeClose();
}

void ControlSession::HandleLine(std::string_view line) {
  ControlRequest request;
  RequestParseError parse_error;
  if (!ParseControlRequest(line, &request, &parse_error)) {
    Enqueue(EncodeError(parse_error.id, kErrorBadRequest, parse_error.message));
    return;
  }
  if (shared_.shutting_down) {
    Enqueue(EncodeError(request.id, kErrorShuttingDown, "the daemon is shutting down"));
    return;
  }
  const Command* command = shared_.dispatcher.Find(request.method);
  if (command == nullptr) {
    Enqueue(EncodeError(request.id, kErrorUnknownMethod,
                        "unknown method \"" + request.method + "\""));
    return;
  }
  if (in_flight_.size() >= shared_.options.max_requests_per_connection) {
    Enqueue(EncodeError(request.id, kErrorBusy,
                        "too many requests in flight on this connection (max " +
                            std::to_string(shared_.options.max_requests_per_connection) + ")"));
    return;
  }
  uint64_t seq = next_seq_++;
  auto token = std::make_shared<CancellationToken>();
  auto self = shared_from_this();
  json id = request.id;
  CommandContext context{
      [self, id](const json& progress) { self->Send(EncodeProgress(id, progress)); },
      [self, id](const json& event) { self->Send(EncodeEvent(id, event)); },
      token,
  };
  auto work = [self, seq, command, request = std::move(request),
               context = std::move(context)]() mutable {
    Result<json> result = [&]() -> Result<json> {
      try {
        return command->handler(request.params, context);
      } catch (const std::exception& e) {
        spdlog::error("{} failed with an exception: {}", request.method, e.what());
        return Status::Aborted(std::string("internal error: ") + e.what());
      }
    }();
    std::string line = result.ok() ? EncodeResult(request.id, *result)
                                   : EncodeError(request.id, result.status());
    asio::post(self->socket_.get_executor(), [self, seq, line = std::move(line)]() mutable {
      self->Enqueue(std::move(line));
      self->FinishRequest(seq);
    });
  };
  in_flight_.emplace(seq, token);
  if (!shared_.pools.TryPost(command->lane, std::move(work))) {
    in_flight_.erase(seq);
    Enqueue(EncodeError(id, kErrorBusy, "too many long-running requests in the daemon"));
  }
}

void ControlSession::Enqueue(std::string line) {
  if (!socket_.is_open()) return;
  outbox_bytes_ += line.size();
  outbox_.push_back(std::move(line));
  if (outbox_bytes_ > shared_.options.max_queued_output_bytes) {
    spdlog::warn("control client does not read its responses; disconnecting it");
    CancelRequests();
    outbox_.clear();
    outbox_bytes_ = 0;
    boost::system::error_code ec;
    socket_.close(ec);
    return;
  }
  if (!writing_) WriteNext();
}

void ControlSession::WriteNext() {
  if (outbox_.empty() || !socket_.is_open()) {
    writing_ = false;
    MaybeClose();
    return;
  }
  writing_ = true;
  asio::async_write(socket_, asio::buffer(outbox_.front()),
                    [self = shared_from_this()](boost::system::error_code ec, size_t) {
                      if (!self->outbox_.empty()) {
                        self->outbox_bytes_ -= self->outbox_.front().size();
                        self->outbox_.pop_front();
                      }
                      if (ec) {
                        self->outbox_.clear();
                        self->outbox_bytes_ = 0;
                        self->writing_ = false;
                        self->closing_ = true;
                        self->CancelRequests();
                        boost::system::error_code ignored;
                        self->socket_.close(ignored);
                        return;
                      }
                      self->WriteNext();
                    });
}

void ControlSession::FinishRequest(uint64_t seq) {
  in_flight_.erase(seq);
  MaybeClose();
}

struct ControlServer::Impl {
  Impl(asio::io_context& io, const CommandDispatcher& dispatcher, WorkerPools& pools,
       const ControlServerOptions& options)
      : shared{io, dispatcher, pools, options}, acceptor(io) {}

  awaitable<void> AcceptLoop() {
    while (acceptor.is_open()) {
      UnixSocket socket(asio::make_strand(shared.io));
      boost::system::error_code ec;
      co_await acceptor.async_accept(socket, asio::redirect_error(use_awaitable, ec));
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) break;
      if (ec) {
        spdlog::warn("control socket accept: {}", ec.message());
        continue;
      }
      if (shared.PruneAndCount() >= shared.options.max_connections) {
        std::string line = EncodeError(json(), kErrorBusy, "too many control connections");
        boost::system::error_code ignored;
        asio::write(socket, asio::buffer(line), ignored);
        continue;
      }
      auto session = std::make_shared<ControlSession>(std::move(socket), shared);
      {
        MutexLock lock(shared.sessions_mu);
        shared.sessions.push_back(session);
      }
      session->Start();
    }
  }

  ServerShared shared;
  UnixAcceptor acceptor;
};

ControlServer::ControlServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ControlServer::~ControlServer() = default;

Result<std::unique_ptr<ControlServer>> ControlServer::Bind(asio::io_context& io,
                                                           const CommandDispatcher& dispatcher,
                                                           WorkerPools& pools,
                                                           const ControlServerOptions& options) {
  const std::filesystem::path& path = options.socket_path;
  std::optional<gid_t> gid;
  if (!options.socket_group.empty()) {
    Result<gid_t> looked_up = LookUpGroup(options.socket_group);
    if (!looked_up.ok()) return looked_up.status();
    gid = *looked_up;
  }
  EDGESYNC_RETURN_IF_ERROR(PrepareSocketDirectory(path.parent_path(), gid.has_value()));
  EDGESYNC_RETURN_IF_ERROR(ClearSocketPath(io, path));

  auto impl = std::make_unique<Impl>(io, dispatcher, pools, options);
  boost::system::error_code ec;
  impl->acceptor.open(asio::local::stream_protocol(), ec);
  if (!ec) impl->acceptor.bind(asio::local::stream_protocol::endpoint(path.string()), ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError("cannot listen on control socket " + path.string() + ": " +
                           ec.message());
  }
  if (::chmod(path.c_str(), 0660) != 0) {
    return Status::IoError("cannot chmod control socket " + path.string() + ": " + Errno(errno));
  }
  if (gid && ::chown(path.c_str(), static_cast<uid_t>(-1), *gid) != 0) {
    return Status::IoError("cannot give control socket " + path.string() + " to group " +
                           options.socket_group + ": " + Errno(errno));
  }
  return std::unique_ptr<ControlServer>(new ControlServer(std::move(impl)));
}

void ControlServer::Start() {
  asio::co_spawn(impl_->acceptor.get_executor(), impl_->AcceptLoop(), asio::detached);
}

void ControlServer::BeginShutdown() {
  impl_->shared.shutting_down = true;
  asio::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    boost::system::error_code ec;
    impl->acceptor.close(ec);
    ::unlink(impl->shared.options.socket_path.c_str());
  });
  for (auto& session : impl_->shared.LiveSessions()) session->Shutdown();
}

bool ControlServer::Idle() const { return impl_->shared.PruneAndCount() == 0; }

void ControlServer::ForceClose() {
  for (auto& session : impl_->shared.LiveSessions()) session->ForceClose();
}

}  // namespace edgesync
