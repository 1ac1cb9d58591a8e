#include "transport/session.h"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket.hpp>
#include <optional>

#include "transport/clock_skew.h"
#include "transport/frame.h"
#include "transport/hello.h"
#include "transport/log_line.h"
#include "transport/message_reassembler.h"
#include "transport/openssl_handles.h"
#include "transport/priority_send_queue.h"
#include "transport/tls_stream.h"
#include "transport/transport_context.h"

namespace edgesync::transport {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

using TlsWebSocket = websocket::stream<TlsStream>;
using PlainWebSocket = websocket::stream<tcp::socket>;

// Beast's write buffer for masked (client) writes; larger means fewer, larger TLS writes.
constexpr std::size_t kWebSocketWriteBufferBytes = 256 * 1024;
// How long a peer dropped for a protocol violation gets to answer our close frame.
constexpr std::chrono::milliseconds kCloseGrace{1000};
// A bulk frame held back by the bandwidth limit checks it again at least this often.
constexpr std::chrono::milliseconds kRateRecheck{250};

std::string FormatEndpoint(const tcp::socket& socket) {
  beast::error_code ec;
  const tcp::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

// One connection: handshakes, then a Link with a read loop and a write loop on one strand.
// Thread-safety: Link methods are safe from any thread; everything else runs on the strand.
template <typename WebSocket>
class Session final : public Link {
 public:
  static constexpr bool kTls = std::is_same_v<WebSocket, TlsWebSocket>;

  template <typename... StreamArgs>
  Session(std::shared_ptr<TransportContext> context, std::shared_ptr<asio::ssl::context> tls,
          bool inbound, std::string host_header, SessionEndCallback on_end,
          StreamArgs&&... stream_args)
      : context_(std::move(context)),
        tls_(std::move(tls)),
        options_(context_->options),
        ws_(std::forward<StreamArgs>(stream_args)...),
        inbound_(inbound),
        host_header_(std::move(host_header)),
        on_end_(std::move(on_end)),
        queue_(options_.max_control_queue_bytes, options_.max_bulk_queue_bytes,
               options_.max_frame_payload),
        reassembler_(options_.max_message_size),
        wake_timer_(ws_.get_executor()),
        deadline_timer_(ws_.get_executor()) {
    peer_.inbound = inbound;
    peer_.address = FormatEndpoint(beast::get_lowest_layer(ws_));
  }

  void Start() {
    auto self = std::static_pointer_cast<Session>(shared_from_this());
    context_->registry.Track(self);
    asio::co_spawn(ws_.get_executor(), Run(self), asio::detached);
  }

  bool Send(Lane lane, std::uint32_t type, std::string payload) override {
    if (!up_.load()) return false;
    if (IsReservedMessageType(type) || payload.size() > options_.max_message_size) {
      spdlog::warn("transport: refusing to send message type={} size={} to peer={}: {}", type,
                   payload.size(), peer_.node_id,
                   IsReservedMessageType(type) ? "reserved type" : "exceeds max_message_size");
      return false;
    }
    switch (queue_.Push(lane, type, std::move(payload))) {
      case PrioritySendQueue::PushResult::kQueued:
        break;
      case PrioritySendQueue::PushResult::kQueuedWakeWriter:
        asio::post(ws_.get_executor(), [self = SharedSelf()] { self->wake_timer_.cancel(); });
        break;
      case PrioritySendQueue::PushResult::kFull:
        Abort(std::string("send queue full on ") + LaneName(lane) + " lane (" +
              std::to_string(queue_.queued_bytes(lane)) + " bytes queued): peer reads too slowly");
        return false;
      case PrioritySendQueue::PushResult::kClosed:
        return false;
    }
    messages_sent_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  void Close(std::string reason) override {
    asio::post(ws_.get_executor(), [self = SharedSelf(), reason = std::move(reason)]() mutable {
      self->SetDownReason(std::move(reason));
      if (!self->up_.load()) {
        self->CloseSocket();
        return;
      }
      if (self->queue_.CloseAfterDrain()) self->wake_timer_.cancel();
    });
  }

  const PeerInfo& peer() const override { return peer_; }

  LinkStats stats() const override {
    LinkStats stats;
    stats.bytes_sent = bytes_sent_.load(std::memory_order_relaxed);
    stats.bytes_received = bytes_received_.load(std::memory_order_relaxed);
    stats.messages_sent = messages_sent_.load(std::memory_order_relaxed);
    stats.messages_received = messages_received_.load(std::memory_order_relaxed);
    return stats;
  }

  std::size_t queued_bytes(Lane lane) const override { return queue_.queued_bytes(lane); }

 private:
  std::shared_ptr<Session> SharedSelf() {
    return std::static_pointer_cast<Session>(shared_from_this());
  }

  const char* Direction() const { return inbound_ ? "inbound" : "outbound"; }

  // Drops the connection now: queued data is discarded, pending operations fail.
  void Abort(std::string reason) {
    asio::post(ws_.get_executor(), [self = SharedSelf(), reason = std::move(reason)]() mutable {
      self->SetDownReason(std::move(reason));
      self->queue_.Abort();
      self->CloseSocket();
    });
  }

  void CloseSocket() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).close(ignored);
    stopping_ = true;
    wake_timer_.cancel();
  }

  void SetDownReason(std::string reason) {
    if (down_reason_.empty()) down_reason_ = OneLine(reason);
  }

  asio::awaitable<void> Run(std::shared_ptr<Session> self) {
    deadline_timer_.expires_after(options_.handshake_timeout);
    deadline_timer_.async_wait([weak = std::weak_ptr<Session>(self)](beast::error_code ec) {
      auto session = weak.lock();
      if (ec || !session) return;
      session->handshake_timed_out_ = true;
      session->CloseSocket();
    });
    std::string failure;
    const bool established = co_await Handshake(failure);
    deadline_timer_.cancel();
    if (!established) {
      if (handshake_timed_out_) {
        failure = "handshake timed out after " +
                  std::to_string(options_.handshake_timeout.count()) + " ms (" + failure + ")";
      }
      if (!down_reason_.empty()) failure = down_reason_ + " (" + failure + ")";
      failure = OneLine(failure);
      spdlog::warn("transport: link refused address={} direction={} reason={}", peer_.address,
                   Direction(), failure);
      context_->handler.OnLinkRefused(peer_.address, failure);
      Finish(false);
      co_return;
    }
    up_.store(true);
    spdlog::info("transport: link up peer={} role={} address={} direction={} version={}",
                 peer_.node_id, peer_.role, peer_.address, Direction(), peer_.protocol_version);
    context_->handler.OnLinkUp(*this);
    asio::co_spawn(ws_.get_executor(), WriteLoop(self), asio::detached);
    co_await ReadLoop();
    up_.store(false);
    queue_.Abort();
    CloseSocket();
    Finish(true);
  }

  void Finish(bool was_up) {
    if (registered_) context_->registry.Release(peer_.node_id, this);
    context_->registry.Untrack(this);
    if (was_up) {
      spdlog::info("transport: link down peer={} address={} reason={}", peer_.node_id,
                   peer_.address, down_reason_);
      context_->handler.OnLinkDown(*this, down_reason_);
    }
    if (on_end_) on_end_(was_up);
  }

  // TLS, WebSocket and Hello handshakes. On failure returns false with `failure` set.
  asio::awaitable<bool> Handshake(std::string& failure) {
    beast::error_code ec;
    std::optional<CertifiedIdentity> certified;
    if constexpr (kTls) {
      auto& tls = ws_.next_layer();
      co_await tls.async_handshake(inbound_ ? asio::ssl::stream_base::server
                                            : asio::ssl::stream_base::client,
                                   asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        failure = TlsFailure("TLS handshake failed", ec);
        co_return false;
      }
      X509* peer_cert = SSL_get0_peer_certificate(tls.native_handle());
      if (!peer_cert) {
        failure = "peer presented no certificate";
        co_return false;
      }
      certified = IdentityFromCertificate(peer_cert);
      peer_.certificate_pem = CertificateToPem(peer_cert);
    }

    ws_.set_option(websocket::stream_base::timeout{options_.handshake_timeout,
                                                   options_.idle_timeout, true});
    ws_.binary(true);
    ws_.auto_fragment(false);
    ws_.read_message_max(options_.max_frame_payload + kFrameHeaderSize);
    ws_.write_buffer_bytes(kWebSocketWriteBufferBytes);
    if (inbound_) {
      beast::flat_buffer buffer;
      http::request<http::empty_body> request;
      co_await http::async_read(ws_.next_layer(), buffer, request,
                                asio::redirect_error(asio::use_awaitable, ec));
      if (!ec && request.target() != options_.websocket_path) {
        http::response<http::string_body> not_found(http::status::not_found, request.version());
        not_found.body() = "no such path\n";
        not_found.prepare_payload();
        co_await http::async_write(ws_.next_layer(), not_found,
                                   asio::redirect_error(asio::use_awaitable, ec));
        failure = "request for unknown path '" + OneLine(std::string(request.target()), 80) + "'";
        co_return false;
      }
      if (!ec) co_await ws_.async_accept(request, asio::redirect_error(asio::use_awaitable, ec));
    } else {
      co_await ws_.async_handshake(host_header_, options_.websocket_path,
                                   asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec) {
      failure = TlsFailure("websocket handshake failed", ec);
      co_return false;
    }
    co_return co_await ExchangeHello(certified, failure);
  }

  asio::awaitable<bool> ExchangeHello(const std::optional<CertifiedIdentity>& certified,
                                      std::string& failure) {
    Hello local = options_.local_hello;
    if (options_.store_epoch_source) local.store_epoch = options_.store_epoch_source();
    if (options_.hello_hints) options_.hello_hints(&local);
    local.wall_ms = WallClockMs();
    if (!co_await WriteLinkFrame(kHelloMessageType, EncodeHello(local), failure)) co_return false;

    std::string payload;
    if (!co_await ReadLinkFrame(kHelloMessageType, payload, failure)) co_return false;
    auto hello = DecodeHello(payload);
    if (!hello.ok()) co_return co_await RefusePeer(hello.status().message(), failure);
    auto version = CheckPeerHello(local, hello.value(), certified);
    if (!version.ok()) co_return co_await RefusePeer(version.status().message(), failure);

    peer_.node_id = hello->node_id;
    peer_.cluster_id = certified ? certified->cluster_id : hello->cluster_id;
    if (certified) {
      peer_.role = certified->role;
      peer_.certified_labels = certified->labels;
    } else if (auto role = hello->labels.find("role"); role != hello->labels.end()) {
      peer_.role = role->second;
    }
    peer_.protocol_version = version.value();
    peer_.labels = std::move(hello->labels);
    peer_.subscriptions = std::move(hello->subscriptions);
    peer_.store_epoch = std::move(hello->store_epoch);
    peer_.upper_layer = std::move(hello->upper_layer);
    peer_.listen_port = hello->listen_port;
    peer_.peer_hints = std::move(hello->peer_hints);
    peer_.software_version = OneLine(hello->software_version, 120);
    if (hello->wall_ms != 0) {
      peer_.clock_skew_ms = ClockSkewMs(hello->wall_ms, WallClockMs());
      if (ClockSkewIsNotable(*peer_.clock_skew_ms, options_.clock_skew_warning)) {
        spdlog::warn("transport: CLOCK SKEW peer={} address={}: {}", OneLine(peer_.node_id),
                     peer_.address, DescribeClockSkew(*peer_.clock_skew_ms));
      }
    }

    Status admitted =
        context_->registry.Admit(peer_.node_id, peer_.address, shared_from_this());
    if (!admitted.ok()) {
      spdlog::error("transport: DUPLICATE NODE ID {}", OneLine(admitted.message()));
      co_return co_await RefusePeer(admitted.message(), failure);
    }
    registered_ = true;
    if constexpr (kTls) {
      Status current = context_->StillAccepted(tls_.get(), peer_.certificate_pem);
      if (!current.ok()) {
        co_return co_await RefusePeer("peer certificate no longer accepted: " + current.message(), failure);
      }
    }

    if (!co_await WriteLinkFrame(kHelloAcceptMessageType, EncodeHelloAccept(version.value()),
                                 failure)) {
      co_return false;
    }
    if (!co_await ReadLinkFrame(kHelloAcceptMessageType, payload, failure)) co_return false;
    auto peer_version = DecodeHelloAccept(payload);
    if (!peer_version.ok() || peer_version.value() != version.value()) {
      co_return co_await RefusePeer("peer accepted a different protocol version", failure);
    }
    co_return true;
  }

  // Sends a Refuse frame with `reason`, closes the WebSocket with it, and fails the handshake.
  asio::awaitable<bool> RefusePeer(const std::string& reason, std::string& failure) {
    failure = reason;
    std::string ignored_failure;
    if (co_await WriteLinkFrame(kRefuseMessageType, EncodeRefuse(reason), ignored_failure)) {
      beast::error_code ec;
      co_await ws_.async_close(websocket::close_reason(websocket::close_code::policy_error,
                                                       OneLine(reason, 120)),
                               asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return false;
  }

  asio::awaitable<bool> WriteLinkFrame(std::uint32_t type, const std::string& payload,
                                       std::string& failure) {
    FrameHeader header;
    header.type = type;
    header.payload_length = static_cast<std::uint32_t>(payload.size());
    const EncodedFrameHeader encoded = EncodeFrameHeader(header);
    std::array<asio::const_buffer, 2> buffers{asio::buffer(encoded), asio::buffer(payload)};
    beast::error_code ec;
    const std::size_t written =
        co_await ws_.async_write(buffers, asio::redirect_error(asio::use_awaitable, ec));
    bytes_sent_.fetch_add(written, std::memory_order_relaxed);
    if (ec) failure = "sending hello failed: " + ec.message();
    co_return !ec;
  }

  // Reads one frame during the hello exchange; it must be of `expected_type` (or a Refuse).
  asio::awaitable<bool> ReadLinkFrame(std::uint32_t expected_type, std::string& payload,
                                      std::string& failure) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    const std::size_t read =
        co_await ws_.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    bytes_received_.fetch_add(read, std::memory_order_relaxed);
    if (ec) {
      failure = DescribeReadError(ec);
      co_return false;
    }
    const auto bytes = beast::buffers_to_string(buffer.data());
    auto frame = DecodeFrame(bytes, options_.max_frame_payload);
    if (!frame.ok()) co_return co_await RefusePeer(frame.status().ToString(), failure);
    if (frame->header.type == kRefuseMessageType) {
      auto reason = DecodeRefuse(frame->payload);
      failure = "refused by peer: " + (reason.ok() ? OneLine(reason.value()) : "(unreadable)");
      co_return false;
    }
    if (frame->header.type != expected_type || frame->header.fragment()) {
      co_return co_await RefusePeer("expected link message " + std::to_string(expected_type) +
                                        " before anything else, got type " +
                                        std::to_string(frame->header.type),
                                    failure);
    }
    payload.assign(frame->payload);
    co_return true;
  }

  // Reads one frame per WebSocket message, its payload straight into the string handed to the
  // handler (no intermediate buffer, no copy for unfragmented messages).
  asio::awaitable<void> ReadLoop() {
    for (;;) {
      beast::error_code ec;
      EncodedFrameHeader header_bytes{};
      const std::size_t header_read = co_await ReadMessageBytes(asio::buffer(header_bytes), ec);
      if (ec) {
        SetDownReason(DescribeReadError(ec));
        co_return;
      }
      const auto header = DecodeFrameHeader(
          std::string_view(reinterpret_cast<const char*>(header_bytes.data()), header_read),
          options_.max_frame_payload);
      if (!header.ok()) {
        co_await ProtocolViolation(header.status().ToString());
        co_return;
      }
      const std::size_t length = header->payload_length;
      std::string payload(length, '\0');
      const std::size_t payload_read = co_await ReadMessageBytes(asio::buffer(payload), ec);
      if (ec) {
        SetDownReason(DescribeReadError(ec));
        co_return;
      }
      bytes_received_.fetch_add(kFrameHeaderSize + payload_read, std::memory_order_relaxed);
      if (payload_read < length) {
        co_await ProtocolViolation("frame truncated: payload length " + std::to_string(length) +
                                   ", " + std::to_string(payload_read) + " bytes present");
        co_return;
      }
      if (!ws_.is_message_done()) {
        co_await ProtocolViolation("frame has trailing bytes after its payload");
        co_return;
      }
      if (IsReservedMessageType(header->type)) {
        if (header->type == kRefuseMessageType) {
          auto reason = DecodeRefuse(payload);
          SetDownReason("peer closed the link: " +
                        (reason.ok() ? reason.value() : std::string("(unreadable)")));
        } else {
          co_await ProtocolViolation("unexpected link message type " +
                                     std::to_string(header->type));
        }
        co_return;
      }
      auto message = reassembler_.Add(header.value(), std::move(payload));
      if (!message.ok()) {
        co_await ProtocolViolation(message.status().ToString());
        co_return;
      }
      if (message.value()) {
        messages_received_.fetch_add(1, std::memory_order_relaxed);
        InboundMessage& inbound = *message.value();
        context_->handler.OnMessage(*this, inbound.lane, inbound.type, std::move(inbound.payload));
      }
    }
  }

  // Reads from the current WebSocket message until `buffer` is full or the message ends.
  asio::awaitable<std::size_t> ReadMessageBytes(asio::mutable_buffer buffer,
                                                beast::error_code& ec) {
    std::size_t total = 0;
    while (total < buffer.size()) {
      total += co_await ws_.async_read_some(buffer + total,
                                            asio::redirect_error(asio::use_awaitable, ec));
      if (ec || ws_.is_message_done()) break;
    }
    co_return total;
  }

  // Drops the link for a protocol violation, telling the peer why in the WebSocket close frame
  // (code 1002). The close handshake gets kCloseGrace; the socket is closed after it either way.
  asio::awaitable<void> ProtocolViolation(const std::string& what) {
    SetDownReason("protocol violation by peer: " + what);
    spdlog::warn("transport: dropping link peer={} address={}: protocol violation: {}",
                 peer_.node_id, peer_.address, OneLine(what));
    stopping_ = true;  // the writer stops after its current frame
    queue_.Abort();
    deadline_timer_.expires_after(kCloseGrace);
    deadline_timer_.async_wait([weak = std::weak_ptr<Session>(SharedSelf())](beast::error_code ec) {
      auto session = weak.lock();
      if (!ec && session) session->CloseSocket();
    });
    beast::error_code ignored;
    co_await ws_.async_close(
        websocket::close_reason(websocket::close_code::protocol_error,
                                OneLine("protocol violation: " + what, 120)),
        asio::redirect_error(asio::use_awaitable, ignored));
    deadline_timer_.cancel();
  }

  // `self` keeps the session alive while the loop runs.
  asio::awaitable<void> WriteLoop([[maybe_unused]] std::shared_ptr<Session> self) {
    for (;;) {
      if (stopping_) co_return;
      OutboundFrame frame;
      const auto state = queue_.PeekFrame(frame);
      if (state == PrioritySendQueue::WriterState::kIdle) {
        beast::error_code ignored;
        wake_timer_.expires_at(asio::steady_timer::time_point::max());
        co_await wake_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        continue;
      }
      if (frame.lane == Lane::kBulk && co_await WaitForBulkRate(frame.header.size() + frame.payload.size()))
        continue;  // control may go first
      beast::error_code ec;
      if (state == PrioritySendQueue::WriterState::kDrainedAndClosing) {
        co_await ws_.async_close(
            websocket::close_reason(websocket::close_code::normal, OneLine(down_reason_, 120)),
            asio::redirect_error(asio::use_awaitable, ec));
        co_return;
      }
      std::array<asio::const_buffer, 2> buffers{asio::buffer(frame.header),
                                                asio::buffer(frame.payload)};
      const std::size_t written =
          co_await ws_.async_write(buffers, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        SetDownReason("write failed: " + ec.message());
        CloseSocket();
        co_return;
      }
      bytes_sent_.fetch_add(written, std::memory_order_relaxed);
      if (queue_.CommitFrame(frame) && up_.load()) context_->handler.OnSendQueueLow(*this);
    }
  }

  // Sleeps while the sending limit holds bulk frames back (true: slept; a Push wakes it early);
  // otherwise counts the frame against the limit and returns false.
  asio::awaitable<bool> WaitForBulkRate(std::size_t frame_bytes) {
    if (!options_.bandwidth) co_return false;
    const limits::PeerRef peer{peer_.node_id, peer_.labels, peer_.role};
    const auto now = std::chrono::steady_clock::now();
    const auto delay = options_.bandwidth->Delay(limits::Direction::kSend, peer, now);
    if (delay.count() == 0) {
      options_.bandwidth->Consume(limits::Direction::kSend, peer, frame_bytes, now);
      co_return false;
    }
    if (!queue_.WriterSleeps()) co_return true;
    beast::error_code ignored;
    // At most kRateRecheck: a schedule edge may raise the limit meanwhile.
    wake_timer_.expires_after(std::min<std::chrono::steady_clock::duration>(delay, kRateRecheck));
    co_await wake_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    co_return true;
  }

  std::string DescribeReadError(const beast::error_code& ec) {
    if (ec == websocket::error::closed) {
      const std::string reason(ws_.reason().reason.data(), ws_.reason().reason.size());
      return "peer closed the link" + (reason.empty() ? "" : ": " + OneLine(reason));
    }
    if (ec == beast::error::timeout) {
      return "peer silent for " + std::to_string(options_.idle_timeout.count()) + " ms";
    }
    return TlsFailure("connection lost", ec);
  }

  // Names the certificate problem when our verification of the peer failed.
  std::string TlsFailure(const char* what, const beast::error_code& ec) {
    if constexpr (kTls) {
      const long verify = SSL_get_verify_result(ws_.next_layer().native_handle());
      if (verify != X509_V_OK) {
        const bool foreign = verify == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
                             verify == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
                             verify == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE ||
                             verify == X509_V_ERR_CERT_SIGNATURE_FAILURE;
        const bool dated = verify == X509_V_ERR_CERT_NOT_YET_VALID ||
                           verify == X509_V_ERR_CERT_HAS_EXPIRED ||
                           verify == X509_V_ERR_CRL_NOT_YET_VALID ||
                           verify == X509_V_ERR_CRL_HAS_EXPIRED;
        return std::string("peer certificate refused: ") + X509_verify_cert_error_string(verify) +
               (foreign ? " (not issued by our cluster CA)" : "") +
               (dated ? " (check this node's clock: it reads " + UtcTimeText(WallClockMs()) + ")"
                      : "");
      }
    }
    std::string message = std::string(what) + ": " + ec.message();
    if (message.find("unknown ca") != std::string::npos) {
      message += " (the peer does not trust our cluster CA)";
    } else if (message.find("certificate expired") != std::string::npos) {
      message += " (the peer finds our certificate expired or not yet valid: check both clocks;"
                 " ours reads " + UtcTimeText(WallClockMs()) + ")";
    }
    return message;
  }

  const std::shared_ptr<TransportContext> context_;
  // The TLS context this session's stream was made with; a reload does not pull it away.
  const std::shared_ptr<asio::ssl::context> tls_;
  const TransportOptions& options_;
  WebSocket ws_;
  const bool inbound_;
  const std::string host_header_;
  const SessionEndCallback on_end_;
  PeerInfo peer_;  // written on the strand before up_ becomes true, read-only after
  PrioritySendQueue queue_;
  MessageReassembler reassembler_;        // strand only
  asio::steady_timer wake_timer_;         // strand only: wakes an idle writer
  asio::steady_timer deadline_timer_;     // strand only: bounds the handshakes
  std::string down_reason_;               // strand only
  bool registered_ = false;               // strand only
  bool stopping_ = false;                 // strand only
  bool handshake_timed_out_ = false;      // strand only
  std::atomic<bool> up_{false};
  std::atomic<std::uint64_t> bytes_sent_{0};
  std::atomic<std::uint64_t> bytes_received_{0};
  std::atomic<std::uint64_t> messages_sent_{0};
  std::atomic<std::uint64_t> messages_received_{0};
};

std::shared_ptr<Link> StartSession(std::shared_ptr<TransportContext> context, tcp::socket socket,
                                   bool inbound, std::string host_header, SessionEndCallback on_end) {
  std::shared_ptr<asio::ssl::context> tls;
  {
    MutexLock lock(context->mutex);
    tls = context->tls;
  }
  if (tls) {
    asio::ssl::context& current = *tls;
    auto session = std::make_shared<Session<TlsWebSocket>>(
        std::move(context), std::move(tls), inbound, std::move(host_header), std::move(on_end),
        std::move(socket), current);
    session->Start();
    return session;
  } else {
    auto session = std::make_shared<Session<PlainWebSocket>>(
        std::move(context), nullptr, inbound, std::move(host_header), std::move(on_end),
        std::move(socket));
    session->Start();
    return session;
  }
}

}  // namespace

void StartInboundSession(std::shared_ptr<TransportContext> context, tcp::socket socket) {
  StartSession(std::move(context), std::move(socket), /*inbound=*/true, {}, {});
}

std::shared_ptr<Link> StartOutboundSession(std::shared_ptr<TransportContext> context,
                                           tcp::socket socket, std::string host_header,
                                           SessionEndCallback on_end) {
  return StartSession(std::move(context), std::move(socket), /*inbound=*/false, std::move(host_header),
               std::move(on_end));
}

}  // namespace edgesync::transport
