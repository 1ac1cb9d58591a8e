// Session entry points: one session per TCP connection, inbound (accepted) or outbound (dialed).
//
// A session runs TLS, WebSocket and Hello handshakes, then becomes a Link with a read loop and a
// write loop on the strand its socket is bound to. Internal to transport/; the Beast code lives
// in session.cpp only.
// Thread-safety: the functions may be called from any thread.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp needs std::exchange

#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>

namespace edgesync::transport {

struct TransportContext;
class Link;

// Called once when an outbound session ends; `was_up` says whether its hello had succeeded.
using SessionEndCallback = std::function<void(bool was_up)>;

// REQUIRES: `socket` is connected and bound to its own strand.
void StartInboundSession(std::shared_ptr<TransportContext> context,
                         boost::asio::ip::tcp::socket socket);
// Returns the session, which becomes a Link once its handshakes succeed.
std::shared_ptr<Link> StartOutboundSession(std::shared_ptr<TransportContext> context,
                                           boost::asio::ip::tcp::socket socket,
                                           std::string host_header, SessionEndCallback on_end);

}  // namespace edgesync::transport
