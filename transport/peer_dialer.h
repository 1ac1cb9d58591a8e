// PeerDialer: keeps one outbound link to host:port up, reconnecting with jittered backoff.
// Internal to transport/.
// Thread-safety: Start once; Stop is safe from any thread.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp needs std::exchange

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "transport/link.h"
#include "transport/reconnect_backoff.h"

namespace edgesync::transport {

struct TransportContext;

class PeerDialer : public std::enable_shared_from_this<PeerDialer> {
 public:
  PeerDialer(std::shared_ptr<TransportContext> context, std::string host, std::uint16_t port);

  void Start();
  // Stops redialing and closes the link this dialer made, if it is up, with `reason`.
  void Stop(std::string reason = "transport shutting down");

  bool Dials(const std::string& host, std::uint16_t port) const { return host == host_ && port == port_; }

 private:
  boost::asio::awaitable<void> DialLoop(std::shared_ptr<PeerDialer> self);
  // Connects and runs one session; returns whether its link came up.
  boost::asio::awaitable<bool> DialOnce();

  std::shared_ptr<TransportContext> context_;
  const std::string host_;
  const std::uint16_t port_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;  // strand only: backoff waits and session-end wake-ups
  ReconnectBackoff backoff_;         // strand only
  bool stopped_ = false;             // strand only
  bool session_running_ = false;     // strand only
  std::weak_ptr<Link> session_;      // strand only: the current session
};

}  // namespace edgesync::transport
