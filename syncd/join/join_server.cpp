#include "syncd/join/join_server.h"

#include <utility>  // before asio: Boost 1.74 awaitable.hpp needs std::exchange

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <thread>

#include "syncd/join/join_request.h"
#include "transport/openssl_handles.h"

namespace edgesync {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using TlsSocket = asio::ssl::stream<tcp::socket>;

constexpr auto kConnectionDeadline = std::chrono::seconds(10);

Result<std::unique_ptr<asio::ssl::context>> ServerContext(const transport::ClusterCa& ca) {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION);
  auto key = transport::ParsePrivateKeyPem(ca.key_pem);
  if (!key.ok()) return key.status();
  auto cert = transport::ParseCertificatePem(ca.cert_pem);
  if (!cert.ok()) return cert.status();
  if (SSL_CTX_use_certificate(native, cert->get()) != 1 || SSL_CTX_use_PrivateKey(native, key->get()) != 1 ||
      SSL_CTX_check_private_key(native) != 1)
    return transport::OpensslFailure("the CA's key and certificate do not load or do not match");
  return context;
}

std::string ClientAddress(const tcp::socket& socket) {
  boost::system::error_code ec;
  const tcp::endpoint endpoint = socket.remote_endpoint(ec);
  return ec ? "unknown" : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

}  // namespace

struct JoinServer::Impl {
  Impl(JoinServerOptions o, JoinTokenStore& t) : options(std::move(o)), tokens(t) {}

  asio::awaitable<void> AcceptLoop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) continue;
      if (active.load() >= kMaxJoinConnections) continue;  // closed as `socket` goes
      ++active;
      asio::co_spawn(io, Serve(std::make_shared<TlsSocket>(std::move(socket), *tls)), asio::detached);
    }
  }

  // One connection: TLS, one request line, one answer; all within kConnectionDeadline.
  asio::awaitable<void> Serve(std::shared_ptr<TlsSocket> stream) {
    const std::string client = ClientAddress(stream->next_layer());
    asio::steady_timer deadline(io, kConnectionDeadline);
    deadline.async_wait([weak = std::weak_ptr<TlsSocket>(stream)](boost::system::error_code ec) {
      boost::system::error_code ignored;
      if (auto s = weak.lock(); !ec && s) s->next_layer().close(ignored);
    });
    boost::system::error_code ec;
    co_await stream->async_handshake(asio::ssl::stream_base::server,
                                     asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
      asio::streambuf buffer(kMaxJoinRequestBytes + 1);
      const size_t length = co_await asio::async_read_until(*stream, buffer, '\n',
                                                            asio::redirect_error(asio::use_awaitable, ec));
      std::string request;
      if (!ec)
        request.assign(asio::buffers_begin(buffer.data()), asio::buffers_begin(buffer.data()) + length - 1);
      if (!ec || ec == asio::error::not_found) {
        // not_found: the buffer filled without a newline, an oversized request.
        JoinAnswer answer = ec ? OversizedJoinRequest() : AnswerJoinRequest(request, tokens, options.ca);
        Report(client, answer);
        co_await asio::async_write(*stream, asio::buffer(answer.line + "\n"),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (!ec) co_await stream->async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
      }
    } else {
      spdlog::debug("join: TLS with {} failed: {}", client, ec.message());
    }
    deadline.cancel();
    --active;
  }

  void Report(const std::string& client, const JoinAnswer& answer) {
    const std::string who = answer.node_id.empty() ? "a request" : "node " + answer.node_id;
    if (answer.refusal) {
      spdlog::warn("join: refused {} from {}: {}", who, client, *answer.refusal);
      if (options.on_refused) options.on_refused(client, *answer.refusal);
    } else {
      spdlog::info("join: issued a certificate to {} from {}", who, client);
    }
  }

  JoinServerOptions options;
  JoinTokenStore& tokens;
  asio::io_context io{1};
  std::unique_ptr<asio::ssl::context> tls;
  tcp::acceptor acceptor{io};
  std::atomic<int> active{0};
  std::thread thread;
};

Result<std::unique_ptr<JoinServer>> JoinServer::Start(JoinServerOptions options, JoinTokenStore& tokens) {
  auto impl = std::make_unique<Impl>(std::move(options), tokens);
  auto tls = ServerContext(impl->options.ca);
  if (!tls.ok()) return Status::InvalidArgument("cluster.join_ca: " + tls.status().message());
  impl->tls = std::move(*tls);
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(impl->options.address.host, ec);
  if (ec)
    return Status::InvalidArgument("cluster.join_listen: '" + impl->options.address.host +
                                   "' is not an IP address");
  const tcp::endpoint endpoint(ip, impl->options.address.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(kMaxJoinConnections, ec);
  if (ec)
    return Status::InvalidArgument("cluster.join_listen " + impl->options.address.ToString() + ": " +
                                   ec.message());
  asio::co_spawn(impl->io, impl->AcceptLoop(), asio::detached);
  impl->thread = std::thread([io = &impl->io] { io->run(); });
  std::unique_ptr<JoinServer> server(new JoinServer(std::move(impl)));
  spdlog::info("join: serving token joins on {}", server->address());
  if (!ip.is_loopback()) {
    spdlog::warn(
        "join: the join endpoint {} is not on loopback: whoever reaches it may try tokens; "
        "set cluster.join_listen = \"off\" once the new nodes have joined",
        server->address());
  }
  return server;
}

JoinServer::JoinServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

JoinServer::~JoinServer() {
  impl_->io.stop();
  impl_->thread.join();
}

std::string JoinServer::address() const {
  boost::system::error_code ec;
  const tcp::endpoint endpoint = impl_->acceptor.local_endpoint(ec);
  if (ec) return impl_->options.address.ToString();
  std::string host = endpoint.address().to_string();
  if (endpoint.address().is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace edgesync
