#include "tests/unit/transport/raw_websocket_peer.h"

#include <utility>  // before asio: Boost 1.74 awaitable.hpp needs std::exchange

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "transport/frame.h"

namespace edgesync::transport::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;

struct RawWebSocketPeer::Impl {
  asio::io_context io;
  beast::websocket::stream<asio::ip::tcp::socket> ws{io};
};

RawWebSocketPeer::RawWebSocketPeer() : impl_(std::make_unique<Impl>()) {}
RawWebSocketPeer::~RawWebSocketPeer() {
  beast::error_code ignored;
  impl_->ws.next_layer().close(ignored);
}

bool RawWebSocketPeer::Connect(std::uint16_t port) {
  beast::error_code ec;
  impl_->ws.next_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return false;
  impl_->ws.binary(true);
  impl_->ws.handshake("127.0.0.1:" + std::to_string(port), "/sync", ec);
  return !ec;
}

bool RawWebSocketPeer::SendBytes(const std::string& bytes) {
  beast::error_code ec;
  impl_->ws.write(asio::buffer(bytes), ec);
  return !ec;
}

bool RawWebSocketPeer::SendFrame(Lane lane, std::uint32_t type, const std::string& payload) {
  FrameHeader header;
  header.lane = lane;
  header.type = type;
  header.payload_length = static_cast<std::uint32_t>(payload.size());
  const EncodedFrameHeader encoded = EncodeFrameHeader(header);
  return SendBytes(std::string(encoded.begin(), encoded.end()) + payload);
}

std::optional<std::string> RawWebSocketPeer::ReadMessage() {
  beast::flat_buffer buffer;
  beast::error_code ec;
  impl_->ws.read(buffer, ec);
  if (ec) return std::nullopt;
  return beast::buffers_to_string(buffer.data());
}

std::uint16_t RawWebSocketPeer::close_code() const { return impl_->ws.reason().code; }

std::string RawWebSocketPeer::close_reason() const {
  return std::string(impl_->ws.reason().reason.data(), impl_->ws.reason().reason.size());
}

bool RawWebSocketPeer::CompleteHello(const Hello& hello) {
  if (!SendFrame(Lane::kControl, kHelloMessageType, EncodeHello(hello))) return false;
  auto server_hello = ReadMessage();
  if (!server_hello) return false;
  auto decoded = DecodeFrame(*server_hello, kDefaultMaxFramePayload);
  if (!decoded.ok() || decoded->header.type != kHelloMessageType) return false;
  auto peer = DecodeHello(decoded->payload);
  if (!peer.ok()) return false;
  auto version = NegotiateProtocolVersion(hello, peer.value());
  if (!version) return false;
  if (!SendFrame(Lane::kControl, kHelloAcceptMessageType, EncodeHelloAccept(*version))) {
    return false;
  }
  auto accept = ReadMessage();
  if (!accept) return false;
  auto accept_frame = DecodeFrame(*accept, kDefaultMaxFramePayload);
  return accept_frame.ok() && accept_frame->header.type == kHelloAcceptMessageType;
}

}  // namespace edgesync::transport::testing
