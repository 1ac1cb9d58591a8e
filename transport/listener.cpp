#include "transport/listener.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "transport/session.h"
#include "transport/transport_context.h"

namespace edgesync::transport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Result<std::shared_ptr<Listener>> Listener::Bind(std::shared_ptr<TransportContext> context) {
  const TransportOptions& options = context->options;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options.listen_address, ec);
  if (ec) {
    return Status::InvalidArgument("bad listen address '" + options.listen_address + "'");
  }
  if (options.insecure_plaintext_for_tests && !address.is_loopback()) {
    return Status::InvalidArgument("plaintext test mode may only listen on loopback, not " +
                               options.listen_address);
  }
  tcp::acceptor acceptor(asio::make_strand(context->io));
  const tcp::endpoint endpoint(address, options.listen_port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError("listen on " + options.listen_address + ":" +
                               std::to_string(options.listen_port) + ": " + ec.message());
  }
  return std::shared_ptr<Listener>(new Listener(std::move(context), std::move(acceptor)));
}

Listener::Listener(std::shared_ptr<TransportContext> context, tcp::acceptor acceptor)
    : context_(std::move(context)), acceptor_(std::move(acceptor)) {
  boost::system::error_code ec;
  port_ = acceptor_.local_endpoint(ec).port();
}

void Listener::Start() {
  asio::co_spawn(acceptor_.get_executor(), AcceptLoop(shared_from_this()), asio::detached);
}

void Listener::Stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

asio::awaitable<void> Listener::AcceptLoop(std::shared_ptr<Listener> self) {
  spdlog::info("transport: listening on {}:{}{}", context_->options.listen_address, port_,
               context_->options.websocket_path);
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(
        asio::make_strand(context_->io), asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
    if (ec) {
      spdlog::warn("transport: accept failed: {}", ec.message());
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    StartInboundSession(context_, std::move(socket));
  }
  spdlog::info("transport: listener on port {} stopped", self->port_);
}

}  // namespace edgesync::transport
