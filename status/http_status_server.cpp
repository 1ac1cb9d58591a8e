// The status address's HTTP and WebSocket sessions (the only Beast code of status/). One object
// per connection on its own strand, its life a coroutine that reads top to bottom.
#include "status/http_status_server.h"

#include <sys/socket.h>

#include <atomic>
#include <optional>
#include <utility>  // before Asio: Boost 1.74 coroutines need std::exchange

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
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
using asio::awaitable;
using asio::use_awaitable;
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
      : hub_(hub), options_(std::move(options)), io_(io), acceptor_(asio::make_strand(io)) {}

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

  void Start() { asio::co_spawn(acceptor_.get_executor(), AcceptLoop(shared_from_this()), asio::detached); }

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

  StatusHub& hub_;
  const HttpStatusOptions options_;
  std::atomic<size_t> feeds_{0};
  std::atomic<uint64_t> dropped_{0};

 private:
  awaitable<void> AcceptLoop(std::shared_ptr<Impl> self);

  asio::io_context& io_;
  tcp::acceptor acceptor_;  // on a strand of its own, where Stop() closes it
  Mutex mu_;
  bool stopped_ GUARDED_BY(mu_) = false;
  std::vector<std::weak_ptr<Connection>> connections_ GUARDED_BY(mu_);
};

namespace {

using Server = HttpStatusServer::Impl;
using Request = http::request<http::empty_body>;
using Response = http::response<http::string_body>;

std::string_view View(beast::string_view text) { return {text.data(), text.size()}; }

void CloseSocket(tcp::socket& socket) {
  boost::system::error_code ec;
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

// Every answer names the server and must not be cached (it may carry the feed's numbers).
Response MakeResponse(http::status status, std::string body, bool keep_alive,
                      const char* content_type = "text/plain; charset=utf-8") {
  Response response(status, 11);
  response.set(http::field::server, "edgesyncd");
  response.set(http::field::content_type, content_type);
  response.set(http::field::cache_control, "no-store");
  if (status == http::status::unauthorized) response.set(http::field::www_authenticate, "Bearer");
  response.keep_alive(keep_alive);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

// One /status WebSocket client: a read loop that only answers control frames (the feed is
// one-way) and notices the end, and a writer that drains the bounded queue, one write in flight.
class FeedSession : public StatusSubscriber,
                    public Connection,
                    public std::enable_shared_from_this<FeedSession> {
 public:
  FeedSession(std::shared_ptr<Server> server, tcp::socket socket)
      : server_(std::move(server)), ws_(std::move(socket)), queue_(server_->options_.queue) {
    ++server_->feeds_;
  }
  ~FeedSession() override { --server_->feeds_; }

  void Start(Request request) {
    asio::co_spawn(ws_.get_executor(), Run(shared_from_this(), std::move(request)), asio::detached);
  }

  // Queues and returns, never waits for the network; starts the writer if none is running.
  void Deliver(std::shared_ptr<const std::string> message) override {
    MutexLock lock(mu_);
    if (closed_) return;
    if (!queue_.Push(std::move(message))) {
      // Too slow to follow the feed: drop it rather than buffer without bound.
      ++server_->dropped_;
      closed_ = true;
      asio::post(ws_.get_executor(), [self = shared_from_this()] { self->Shut(); });
      return;
    }
    if (writing_) return;
    writing_ = true;
    // co_spawn posts: the writer starts on the strand, after this lock is released.
    asio::co_spawn(ws_.get_executor(), Drain(shared_from_this()), asio::detached);
  }

  void Close() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->Shut(); });
  }

 private:
  // The parameter keeps the session alive in the coroutine frame, as does Drain's.
  awaitable<void> Run(std::shared_ptr<FeedSession> self, Request request) {
    websocket::stream_base::timeout timeout =
        websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeout.idle_timeout = server_->options_.websocket_idle_timeout;
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(http::field::server, "edgesyncd"); }));
    ws_.read_message_max(4096);
    ws_.text(true);
    beast::error_code ec;
    co_await ws_.async_accept(request, asio::redirect_error(use_awaitable, ec));
    if (ec || !server_->Register(self)) co_return;
    server_->hub_.Join(self, server_->options_.snapshot);  // the snapshot starts the writer
    beast::flat_buffer in;
    for (;;) {
      co_await ws_.async_read(in, asio::redirect_error(use_awaitable, ec));
      if (ec) break;
      in.clear();  // clients have nothing to say; Beast answers their control frames
    }
    Shut();
  }

  // Writes the queue's messages in order until it is empty; Deliver starts the next run.
  awaitable<void> Drain(std::shared_ptr<FeedSession>) {
    for (;;) {
      OutboundQueue::Message message;
      {
        MutexLock lock(mu_);
        if (closed_ || queue_.empty()) {
          writing_ = false;
          co_return;
        }
        message = queue_.front();
      }
      beast::error_code ec;
      co_await ws_.async_write(asio::buffer(*message), asio::redirect_error(use_awaitable, ec));
      if (ec) {
        Shut();
        co_return;
      }
      MutexLock lock(mu_);
      queue_.Pop();
    }
  }

  // On the strand: ends the read loop and any write in flight; Deliver queues nothing more.
  void Shut() {
    {
      MutexLock lock(mu_);
      closed_ = true;
    }
    CloseSocket(beast::get_lowest_layer(ws_).socket());
  }

  std::shared_ptr<Server> server_;
  websocket::stream<beast::tcp_stream> ws_;
  Mutex mu_;
  OutboundQueue queue_ GUARDED_BY(mu_);
  bool writing_ GUARDED_BY(mu_) = false;  // a Drain is running
  bool closed_ GUARDED_BY(mu_) = false;
};

// One HTTP connection: reads requests (keep-alive) and answers them, or hands the socket over
// to a FeedSession.
class HttpSession : public Connection, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<Server> server, tcp::socket socket)
      : server_(std::move(server)), stream_(std::move(socket)) {}

  void Start() {
    if (!server_->Register(shared_from_this())) return;
    asio::co_spawn(stream_.get_executor(), Run(shared_from_this()), asio::detached);
  }

  void Close() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { CloseSocket(self->stream_.socket()); });
  }

 private:
  const HttpStatusOptions& options() const { return server_->options_; }

  // The parameter keeps the session alive in the coroutine frame.
  awaitable<void> Run(std::shared_ptr<HttpSession>) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::empty_body> parser;
      parser.header_limit(static_cast<uint32_t>(options().max_header_bytes));
      parser.body_limit(0);
      stream_.expires_after(options().http_idle_timeout);
      beast::error_code ec;
      co_await http::async_read(stream_, buffer, parser, asio::redirect_error(use_awaitable, ec));
      std::optional<Response> response;
      if (ec == http::error::header_limit) {
        response =
            MakeResponse(http::status::request_header_fields_too_large, "request headers too large\n", false);
      } else if (ec == http::error::body_limit) {
        response = MakeResponse(http::status::payload_too_large, "no body expected\n", false);
      } else if (ec) {
        break;
      } else {
        response = Route(parser.get());
      }
      if (!response) {  // an accepted /status upgrade: the socket moves to the feed
        stream_.expires_never();
        std::make_shared<FeedSession>(server_, stream_.release_socket())->Start(parser.release());
        co_return;
      }
      stream_.expires_after(options().http_idle_timeout);
      co_await http::async_write(stream_, *response, asio::redirect_error(use_awaitable, ec));
      if (ec || !response->keep_alive()) break;
    }
    CloseSocket(stream_.socket());
  }

  // The answer to `request`, or nothing for a /status upgrade that passed every check.
  std::optional<Response> Route(const Request& request) {
    const std::string target(request.target());
    const std::string_view path = TargetPath(target);
    const bool keep_alive = request.keep_alive();
    if (path != "/" && path != "/status" && path != "/metrics")
      return MakeResponse(http::status::not_found, "not found\n", keep_alive);
    if (request.method() != http::verb::get)
      return MakeResponse(http::status::method_not_allowed, "only GET\n", keep_alive);
    if (path == "/") {
      return MakeResponse(http::status::ok, std::string(options().page), keep_alive,
                          "text/html; charset=utf-8");
    }
    const bool authorized = TokenAccepted(options().token, View(request[http::field::authorization]),
                                          QueryParameter(target, "token"));
    if (!authorized) {
      if (options().on_auth_failure) options().on_auth_failure(ClientAddress());
      return MakeResponse(http::status::unauthorized, "missing or wrong bearer token\n", false);
    }
    if (path == "/metrics") {
      return MakeResponse(http::status::ok, options().metrics(), keep_alive,
                          "text/plain; version=0.0.4; charset=utf-8");
    }
    if (!websocket::is_upgrade(request))
      return MakeResponse(http::status::upgrade_required, "/status is a WebSocket\n", keep_alive);
    if (!OriginAllowed(View(request[http::field::origin]), options().allowed_origins))
      return MakeResponse(http::status::forbidden, "origin not allowed\n", false);
    if (server_->feeds_.load() >= options().max_clients)
      return MakeResponse(http::status::service_unavailable, "too many status clients\n", false);
    return std::nullopt;
  }

  std::string ClientAddress() {
    boost::system::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    return ec ? "?" : endpoint.address().to_string();
  }

  std::shared_ptr<Server> server_;
  beast::tcp_stream stream_;
};

}  // namespace

// The parameter keeps the server alive in the coroutine frame.
awaitable<void> HttpStatusServer::Impl::AcceptLoop(std::shared_ptr<Impl>) {
  for (;;) {
    tcp::socket socket(asio::make_strand(io_));
    beast::error_code ec;
    co_await acceptor_.async_accept(socket, asio::redirect_error(use_awaitable, ec));
    if (!acceptor_.is_open()) co_return;
    if (!ec) std::make_shared<HttpSession>(shared_from_this(), std::move(socket))->Start();
  }
}

Result<std::unique_ptr<HttpStatusServer>> HttpStatusServer::Start(asio::io_context& io, int bound_fd,
                                                                  StatusHub& hub, HttpStatusOptions options) {
  auto impl = std::make_shared<Impl>(io, hub, std::move(options));
  EDGESYNC_RETURN_IF_ERROR(impl->Listen(bound_fd));
  impl->Start();
  return std::unique_ptr<HttpStatusServer>(new HttpStatusServer(impl));
}

HttpStatusServer::~HttpStatusServer() { impl_->Stop(); }

void HttpStatusServer::Stop() { impl_->Stop(); }
size_t HttpStatusServer::feed_clients() const { return impl_->feeds_.load(); }
uint64_t HttpStatusServer::dropped_slow_clients() const { return impl_->dropped_.load(); }

}  // namespace edgesync
