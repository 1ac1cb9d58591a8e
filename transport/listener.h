// Listener: accepts TCP connections for one Transport and starts an inbound session for each.
// Internal to transport/.
// Thread-safety: Start once; Stop is safe from any thread.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp needs std::exchange

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>

#include "base/status.h"

namespace edgesync::transport {

struct TransportContext;

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds to the options' listen address and port. Returns the bound port.
  static Result<std::shared_ptr<Listener>> Bind(std::shared_ptr<TransportContext> context);

  std::uint16_t port() const { return port_; }
  void Start();
  void Stop();

 private:
  Listener(std::shared_ptr<TransportContext> context, boost::asio::ip::tcp::acceptor acceptor);
  boost::asio::awaitable<void> AcceptLoop(std::shared_ptr<Listener> self);

  std::shared_ptr<TransportContext> context_;
  boost::asio::ip::tcp::acceptor acceptor_;  // used on its strand
  std::uint16_t port_ = 0;
};

}  // namespace edgesync::transport
