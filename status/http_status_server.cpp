// The status address's HTTP and WebSocket sessions (the only Beast code of syncd/).
#include "status/http_status_server.h"

#include <sys/socket.h>

#include <utility>  // before Asio: Boost 1.74 needs std::exchange
#include <atomic>
#include <optional>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "status/http_access.h"

namespace edgesync {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

// Anything the server can close on Stop().
class Connection {
 public:
  virtual ~Connection() = default;
  virtual void Close() = 0;
};

}  // namespace

class HttpStatusServer::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, StatusHub& hub, HttpStatusOptions options)
      : io_(io), acceptor_(asio::make_strand(io)), hub_(hub), options_(std::move(options)) {}

  Status Listen(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
      return Status::InvalidArgument("network.http_status: not a bound socket");
    boost::system::error_code ec;
    acceptor_.assign(address.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status::InvalidArgument("network.http_status: " + ec.message());
    return Status::Ok();
  }

  void Accept();
  void Stop() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      boost::system::error_code ec;
      self->acceptor_.close(ec);
    });
    std::vector<std::shared_ptr<Connection>> live;
    {
      MutexLock lock(mu_);
      stopped_ = true;
      for (const auto& weak : connections_)
        if (auto c = weak.lock()) live.push_back(std::move(c));
      connections_.clear();
    }
    for (const auto& c : live) c->Close();
  }

  // False once stopped: the caller closes the connection.
  bool Register(const std::shared_ptr<Connection>& connection) {
    MutexLock lock(mu_);
    if (stopped_) return false;
    std::erase_if(connections_, [](const auto& weak) { return weak.expired(); });
    connections_.push_back(connection);
    return true;
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  StatusHub& hub_;
  const HttpStatusOptions options_;
  std::atomic<size_t> feeds_{0};
  std::atomic<uint64_t> dropped_{0};

 private:
  Mutex mu_;
  bool stopped_ GUARDED_BY(mu_) = false;
  std::vector<std::weak_ptr<Connection>> connections_ GUARDED_BY(mu_);
};

namespace {

using Server = HttpStatusServer::Impl;

std::string_view View(beast::string_view text) { return {text.data(), text.size()}; }

void CloseSocket(tcp::socket& socket) {
  boost::system::error_code ec;
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

// One /status WebSocket client: its bounded queue, one write in flight at a time, and a read
// loop that only answers control frames (the feed is one-way).
class FeedSession : public StatusSubscriber,
                    public Connection,
                    public std::enable_shared_from_this<FeedSession> {
 public:
  FeedSession(std::shared_ptr<Server> server, tcp::socket socket)
      : server_(std::move(server)), ws_(std::move(socket)), queue_(server_->options_.queue) {
    ++server_->feeds_;
  }
  ~FeedSession() override { --server_->feeds_; }

  void Accept(const http::request<http::empty_body>& request) {
    websocket::stream_base::timeout timeout =
        websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeout.idle_timeout = server_->options_.websocket_idle_timeout;
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(http::field::server, "edgesyncd"); }));
    ws_.read_message_max(4096);
    ws_.text(true);
    ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) { self->OnAccept(ec); });
  }

  void Deliver(std::shared_ptr<const std::string> message) override {
    {
      MutexLock lock(mu_);
      if (closed_) return;
      if (!queue_.Push(std::move(message))) {
        // Too slow to follow the feed: drop it rather than buffer without bound.
        ++server_->dropped_;
        closed_ = true;
        asio::post(ws_.get_executor(), [self = shared_from_this()] {
          CloseSocket(beast::get_lowest_layer(self->ws_).socket());
        });
        return;
      }
      if (writing_) return;
      writing_ = true;
    }
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->WriteNext(); });
  }

  void Close() override {
    {
      MutexLock lock(mu_);
      closed_ = true;
    }
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      CloseSocket(beast::get_lowest_layer(self->ws_).socket());
    });
  }

 private:
  void OnAccept(beast::error_code ec) {
    if (ec || !server_->Register(shared_from_this())) return;
    server_->hub_.Join(shared_from_this(), server_->options_.snapshot);
    Read();
  }

  void Read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        MutexLock lock(self->mu_);
        self->closed_ = true;
        return;
      }
      self->in_.clear();  // clients have nothing to say; control frames are answered by Beast
      self->Read();
    });
  }

  void WriteNext() {  // on the strand
    std::shared_ptr<const std::string> message;
    {
      MutexLock lock(mu_);
      if (closed_ || queue_.empty()) {
        writing_ = false;
        return;
      }
      message = queue_.front();
    }
    ws_.async_write(asio::buffer(*message),
                    [self = shared_from_this(), message](beast::error_code ec, size_t) {
                      {
                        MutexLock lock(self->mu_);
                        if (ec) {
                          self->closed_ = true;
                          self->writing_ = false;
                          return;
                        }
                        self->queue_.Pop();
                      }
                      self->WriteNext();
                    });
  }

  std::shared_ptr<Server> server_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  Mutex mu_;
  OutboundQueue queue_ GUARDED_BY(mu_);
  bool writing_ GUARDED_BY(mu_) = false;  // a WriteNext chain is running
  bool closed_ GUARDED_BY(mu_) = false;
};

// One HTTP connection: reads requests (keep-alive) and answers or hands over to a FeedSession.
class HttpSession : public Connection, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<Server> server, tcp::socket socket)
      : server_(std::move(server)), stream_(std::move(socket)) {}

  void Run() {
    if (!server_->Register(shared_from_this())) return;
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

  void Close() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      CloseSocket(self->stream_.socket());
    });
  }

 private:
  const HttpStatusOptions& options() const { return server_->options_; }

  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options().max_header_bytes));
    parser_->body_limit(0);
    stream_.expires_after(options().http_idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::header_limit) return Reply(http::status::request_header_fields_too_large,
                                                      "request headers too large\n", false);
    if (ec == http::error::body_limit) return Reply(http::status::payload_too_large, "no body expected\n", false);
    if (ec) return CloseSocket(stream_.socket());
    Route(parser_->get());
  }

  void Route(const http::request<http::empty_body>& request) {
    const std::string target(request.target());
    const std::string_view path = TargetPath(target);
    const bool keep_alive = request.keep_alive();
    if (path != "/" && path != "/status" && path != "/metrics")
      return Reply(http::status::not_found, "not found\n", keep_alive);
    if (request.method() != http::verb::get)
      return Reply(http::status::method_not_allowed, "only GET\n", keep_alive);
    if (path == "/") {
      return Reply(http::status::ok, std::string(options().page), keep_alive,
                   "text/html; charset=utf-8");
    }
    const bool authorized = TokenAccepted(options().token, View(request[http::field::authorization]),
                                          QueryParameter(target, "token"));
    if (!authorized) {
      if (options().on_auth_failure) options().on_auth_failure(ClientAddress());
      return Reply(http::status::unauthorized, "missing or wrong bearer token\n", false);
    }
    if (path == "/metrics") {
      return Reply(http::status::ok, options().metrics(), keep_alive,
                   "text/plain; version=0.0.4; charset=utf-8");
    }
    if (!websocket::is_upgrade(request))
      return Reply(http::status::upgrade_required, "/status is a WebSocket\n", keep_alive);
    if (!OriginAllowed(View(request[http::field::origin]), options().allowed_origins))
      return Reply(http::status::forbidden, "origin not allowed\n", false);
    if (server_->feeds_.load() >= options().max_clients)
      return Reply(http::status::service_unavailable, "too many status clients\n", false);
    stream_.expires_never();
    auto feed = std::make_shared<FeedSession>(server_, stream_.release_socket());
    feed->Accept(request);
  }

  std::string ClientAddress() {
    boost::system::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    return ec ? "?" : endpoint.address().to_string();
  }

  void Reply(http::status status, std::string body, bool keep_alive,
             const char* content_type = "text/plain; charset=utf-8") {
    auto response = std::make_shared<http::response<http::string_body>>(status, 11);
    response->set(http::field::server, "edgesyncd");
    response->set(http::field::content_type, content_type);
    response->set(http::field::cache_control, "no-store");
    if (status == http::status::unauthorized) response->set(http::field::www_authenticate, "Bearer");
    response->keep_alive(keep_alive);
    response->body() = std::move(body);
    response->prepare_payload();
    stream_.expires_after(options().http_idle_timeout);
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response](beast::error_code ec, size_t) {
                        if (ec || !response->keep_alive()) {
                          CloseSocket(self->stream_.socket());
                          return;
                        }
                        self->Read();
                      });
  }

  std::shared_ptr<Server> server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
};

}  // namespace

void HttpStatusServer::Impl::Accept() {
  acceptor_.async_accept(asio::make_strand(io_),
                         [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                           if (!self->acceptor_.is_open()) return;
                           if (!ec) std::make_shared<HttpSession>(self, std::move(socket))->Run();
                           self->Accept();
                         });
}

Result<std::unique_ptr<HttpStatusServer>> HttpStatusServer::Start(asio::io_context& io, int bound_fd,
                                                                  StatusHub& hub,
                                                                  HttpStatusOptions options) {
  auto impl = std::make_shared<Impl>(io, hub, std::move(options));
  EDGESYNC_RETURN_IF_ERROR(impl->Listen(bound_fd));
  impl->Accept();
  return std::unique_ptr<HttpStatusServer>(new HttpStatusServer(impl));
}

HttpStatusServer::~HttpStatusServer() { impl_->Stop(); }

void HttpStatusServer::Stop() { impl_->Stop(); }
size_t HttpStatusServer::feed_clients() const { return impl_->feeds_.load(); }
uint64_t HttpStatusServer::dropped_slow_clients() const { return impl_->dropped_.load(); }

}  // namespace edgesync
