#include "transport/peer_dialer.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "transport/session.h"
#include "transport/transport_context.h"

namespace edgesync::transport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

PeerDialer::PeerDialer(std::shared_ptr<TransportContext> context, std::string host,
                       std::uint16_t port)
    : context_(std::move(context)),
      host_(std::move(host)),
      port_(port),
      strand_(asio::make_strand(context_->io)),
      timer_(strand_),
      backoff_(context_->options.reconnect_initial_delay, context_->options.reconnect_max_delay) {}

void PeerDialer::Start() { asio::co_spawn(strand_, DialLoop(shared_from_this()), asio::detached); }

void PeerDialer::Stop(std::string reason) {
  asio::post(strand_, [self = shared_from_this(), reason = std::move(reason)]() mutable {
    self->stopped_ = true;
    self->timer_.cancel();
    if (auto session = self->session_.lock()) session->Close(std::move(reason));
  });
}

asio::awaitable<void> PeerDialer::DialLoop(std::shared_ptr<PeerDialer> self) {
  while (!stopped_) {
    if (co_await DialOnce()) backoff_.Reset();
    if (stopped_) break;
    const auto delay = backoff_.NextDelay();
    spdlog::debug("transport: reconnecting to {}:{} in {} ms", host_, port_, delay.count());
    boost::system::error_code ignored;
    timer_.expires_after(delay);
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  spdlog::info("transport: dialer for {}:{} stopped", self->host_, self->port_);
}

asio::awaitable<bool> PeerDialer::DialOnce() {
  boost::system::error_code ec;
  tcp::resolver resolver(strand_);
  const auto endpoints = co_await resolver.async_resolve(
      host_, std::to_string(port_), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    spdlog::warn("transport: cannot resolve {}: {}", host_, ec.message());
    co_return false;
  }
  if (context_->options.insecure_plaintext_for_tests) {
    for (const auto& entry : endpoints) {
      if (!entry.endpoint().address().is_loopback()) {
        spdlog::error("transport: plaintext test mode refuses non-loopback peer {}", host_);
        co_return false;
      }
    }
  }

  // The socket is bound to a fresh strand (the future session's) but, until the session starts,
  // only this dialer's strand touches it: the connect deadline timer runs here too.
  tcp::socket socket(asio::make_strand(context_->io));
  asio::steady_timer deadline(strand_);
  deadline.expires_after(context_->options.handshake_timeout);
  deadline.async_wait([&socket](boost::system::error_code wait_ec) {
    if (!wait_ec) socket.close(wait_ec);
  });
  co_await asio::async_connect(socket, endpoints, asio::redirect_error(asio::use_awaitable, ec));
  deadline.cancel();
  if (ec || !socket.is_open()) {
    spdlog::debug("transport: connect to {}:{} failed: {}", host_, port_,
                  ec ? ec.message() : "timed out");
    co_return false;
  }
  socket.set_option(tcp::no_delay(true), ec);

  bool link_was_up = false;
  session_running_ = true;
  session_ = StartOutboundSession(context_, std::move(socket), host_ + ":" + std::to_string(port_),
                       [self = shared_from_this(), &link_was_up](bool was_up) {
                         asio::post(self->strand_, [self, &link_was_up, was_up] {
                           link_was_up = was_up;
                           self->session_running_ = false;
                           self->timer_.cancel();
                         });
                       });
  while (session_running_) {
    boost::system::error_code ignored;
    timer_.expires_at(asio::steady_timer::time_point::max());
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  co_return link_was_up;
}

}  // namespace edgesync::transport
