#include "tests/integration/status/status_client.h"

#include <utility>  // before Asio: Boost 1.74 needs std::exchange
#include <functional>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace edgesync::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

HttpReply ReadReply(beast::tcp_stream& stream) {
  HttpReply reply;
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  beast::error_code ec;
  http::read(stream, buffer, response, ec);
  if (ec) return reply;
  reply.status = static_cast<int>(response.result_int());
  reply.body = response.body();
  for (const auto& field : response) reply.headers[std::string(field.name_string())] = std::string(field.value());
  return reply;
}

}  // namespace

HttpReply HttpGet(uint16_t port, const std::string& target,
                  const std::map<std::string, std::string>& headers) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  stream.expires_after(std::chrono::seconds(10));
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return {};
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [name, value] : headers) request.set(name, value);
  http::write(stream, request, ec);
  if (ec) return {};
  return ReadReply(stream);
}

HttpReply HttpRaw(uint16_t port, const std::string& raw) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  stream.expires_after(std::chrono::seconds(10));
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return {};
  asio::write(stream, asio::buffer(raw), ec);
  if (ec) return {};
  return ReadReply(stream);
}

struct StatusClient::State {
  asio::io_context io;
  websocket::stream<beast::tcp_stream> ws{io};
  beast::flat_buffer buffer;
  bool closed = false;
};

StatusClient::StatusClient() : state_(std::make_unique<State>()) {}
StatusClient::~StatusClient() = default;

int StatusClient::Open(uint16_t port, const std::string& target,
                       const std::map<std::string, std::string>& headers, int receive_buffer) {
  auto& socket = beast::get_lowest_layer(state_->ws).socket();
  beast::error_code ec;
  socket.open(tcp::v4(), ec);
  if (receive_buffer > 0) socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer), ec);
  beast::get_lowest_layer(state_->ws).expires_after(std::chrono::seconds(10));
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return 0;
  state_->ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& request) {
    for (const auto& [name, value] : headers) request.set(name, value);
  }));
  state_->ws.handshake("127.0.0.1:" + std::to_string(port), target, ec);
  beast::get_lowest_layer(state_->ws).expires_never();
  if (!ec) return 101;
  // Beast keeps a refused handshake's response to itself: ask again as plain HTTP to learn the
  // status the server answered with.
  state_->closed = true;
  std::map<std::string, std::string> upgrade = headers;
  upgrade["Connection"] = "Upgrade";
  upgrade["Upgrade"] = "websocket";
  upgrade["Sec-WebSocket-Version"] = "13";
  upgrade["Sec-WebSocket-Key"] = "dGhlIHNhbXBsZSBub25jZQ==";
  return HttpGet(port, target, upgrade).status;
}

std::optional<std::string> StatusClient::Read(std::chrono::milliseconds timeout) {
  if (state_->closed) return std::nullopt;
  beast::get_lowest_layer(state_->ws).expires_after(timeout);
  beast::error_code ec;
  state_->buffer.clear();
  state_->ws.read(state_->buffer, ec);
  if (ec) {
    state_->closed = true;
    return std::nullopt;
  }
  return beast::buffers_to_string(state_->buffer.data());
}

std::optional<nlohmann::json> StatusClient::WaitFor(const std::function<bool(const nlohmann::json&)>& pred,
                                                    std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto message = Read(std::max(left, std::chrono::milliseconds(1)));
    if (!message) return std::nullopt;
    auto parsed = nlohmann::json::parse(*message, nullptr, false);
    if (!parsed.is_discarded() && pred(parsed)) return parsed;
  }
  return std::nullopt;
}

bool StatusClient::closed() const { return state_->closed; }

}  // namespace edgesync::testing
