// TlsStream: TLS over a TCP socket with large socket reads and writes, the next layer of the
// WebSocket stream in session.cpp.
//
// Asio's ssl::stream moves every TLS record through a 17 KiB BIO pair: one socket call per
// record each way plus two extra copies of every byte. TlsStream runs OpenSSL on a memory BIO of
// its own instead: a write encrypts the whole buffer sequence it is given (small leading buffers,
// such as WebSocket and frame headers, are coalesced into the first record) and sends all records
// with one socket write; a read pulls up to kReadChunk bytes from the socket per call and returns
// as many decrypted records as fit in the caller's buffer.
// It models Asio's AsyncStream (async_read_some, async_write_some, get_executor), has
// async_handshake and next_layer()/native_handle() like ssl::stream, and provides the Beast
// teardown customization points, so websocket::stream<TlsStream> works like the Beast SSL stream.
// Error codes follow Asio's ssl engine: OpenSSL errors in asio::error::get_ssl_category(), an EOF
// without close_notify is asio::ssl::error::stream_truncated.
// Thread-safety: needs external synchronization (use it on one strand). Like ssl::stream, at most
// one read and one write may be outstanding; records OpenSSL produces while reading (a KeyUpdate
// answer) are sent with the next write.
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp needs std::exchange

#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cstddef>
#include <memory>
#include <vector>

namespace edgesync::transport {

class TlsStream {
 public:
  using socket_type = boost::asio::ip::tcp::socket;
  using next_layer_type = socket_type;
  using executor_type = socket_type::executor_type;
  using error_code = boost::system::error_code;

  // Bytes asked of the socket per read; about sixteen TLS records.
  static constexpr std::size_t kReadChunk = 256 * 1024;
  // Plaintext bytes encrypted per write call at most (bounds the ciphertext buffers). Beast hands
  // at most 64 KiB per call (asio::async_write's chunk), so this bound is rarely reached.
  static constexpr std::size_t kMaxWriteBytes = 256 * 1024;
  // Buffers shorter than this are copied together into one record instead of one record each.
  static constexpr std::size_t kCoalesceBytes = 16 * 1024;

  // REQUIRES: `context` outlives the stream. On OpenSSL allocation failure the stream is unusable
  // and every operation fails (ok() is false).
  TlsStream(socket_type socket, boost::asio::ssl::context& context);
  TlsStream(TlsStream&&) noexcept = default;
  TlsStream& operator=(TlsStream&&) noexcept = default;
  ~TlsStream();

  bool ok() const { return state_ && state_->ssl; }
  executor_type get_executor() { return socket_.get_executor(); }
  socket_type& next_layer() { return socket_; }
  const socket_type& next_layer() const { return socket_; }
  SSL* native_handle() { return state_->ssl; }

  template <typename Token>
  auto async_handshake(boost::asio::ssl::stream_base::handshake_type type, Token&& token) {
    return boost::asio::async_compose<Token, void(error_code)>(HandshakeOp{*this, type}, token,
                                                               socket_);
  }

  template <typename MutableBuffers, typename Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(error_code, std::size_t)>(
        ReadOp<MutableBuffers>{*this, buffers}, token, socket_);
  }

  template <typename ConstBuffers, typename Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(error_code, std::size_t)>(
        WriteOp<ConstBuffers>{*this, buffers}, token, socket_);
  }

  // Queues a close_notify and sends it; does not wait for the peer's.
  template <typename Token>
  auto async_shutdown(Token&& token) {
    return boost::asio::async_compose<Token, void(error_code)>(ShutdownOp{*this}, token, socket_);
  }

 private:
  // Heap-allocated so the BIO's pointer to it survives moves of the stream.
  struct State {
    SSL* ssl = nullptr;
    std::vector<char> in;       // ciphertext read from the socket, [in_begin, in_end) unread
    std::size_t in_begin = 0;
    std::size_t in_end = 0;
    std::vector<char> out;      // ciphertext OpenSSL produced, not yet handed to the socket
    std::vector<char> writing;  // ciphertext of the socket write in flight
    std::vector<char> stage;    // small plaintext buffers coalesced into one record
  };
  enum class Want { kDone, kInput, kError };

  // Runs one OpenSSL call and classifies its result like Asio's ssl engine.
  template <typename Call>
  Want Perform(Call call, error_code& ec, std::size_t& transferred) {
    ::ERR_clear_error();
    const int result = call();
    return Classify(result, ec, transferred);
  }
  Want Classify(int result, error_code& ec, std::size_t& transferred);
  // Free space at the end of the input buffer (compacting it first).
  boost::asio::mutable_buffer InputSpace();
  void CommitInput(std::size_t bytes) { state_->in_end += bytes; }
  // EOF from the socket is an error unless the peer sent close_notify first.
  error_code MapReadError(error_code ec) const;
  // Encrypts up to kMaxWriteBytes of `buffers` into state_->out; returns the plaintext bytes.
  template <typename ConstBuffers>
  std::size_t Encrypt(const ConstBuffers& buffers, error_code& ec);
  bool EncryptStage(error_code& ec);
  // Moves pending ciphertext to the in-flight buffer; the socket write sends `writing`.
  boost::asio::const_buffer StartFlush() {
    std::swap(state_->out, state_->writing);
    return boost::asio::buffer(state_->writing);
  }
  void FinishFlush() { state_->writing.clear(); }

  struct HandshakeOp {
    TlsStream& stream;
    boost::asio::ssl::stream_base::handshake_type type;
    enum { kStart, kPosted, kSocketRead, kSocketWrite } step = kStart;
    error_code result{};
    bool finished = false;

    template <typename Self>
    void operator()(Self& self, error_code ec = {}, std::size_t bytes = 0) {
      switch (step) {
        case kStart:
          if (!stream.ok()) {
            result = boost::asio::error::no_memory;
            step = kPosted;
            boost::asio::post(std::move(self));
            return;
          }
          if (type == boost::asio::ssl::stream_base::client) {
            ::SSL_set_connect_state(stream.state_->ssl);
          } else {
            ::SSL_set_accept_state(stream.state_->ssl);
          }
          break;
        case kPosted:
          self.complete(result);
          return;
        case kSocketRead:
          if (ec) {
            self.complete(stream.MapReadError(ec));
            return;
          }
          stream.CommitInput(bytes);
          break;
        case kSocketWrite:
          stream.FinishFlush();
          if (ec || result || finished) {
            self.complete(ec ? ec : result);
            return;
          }
          break;
      }
      std::size_t ignored = 0;
      const Want want = stream.Perform([&] { return ::SSL_do_handshake(stream.state_->ssl); },
                                       result, ignored);
      finished = want == Want::kDone;
      if (!stream.state_->out.empty()) {  // a handshake flight, or an alert before failing
        step = kSocketWrite;
        boost::asio::async_write(stream.socket_, stream.StartFlush(), std::move(self));
        return;
      }
      if (want == Want::kInput) {
        step = kSocketRead;
        stream.socket_.async_read_some(stream.InputSpace(), std::move(self));
        return;
      }
      if (step == kStart) {
        step = kPosted;
        boost::asio::post(std::move(self));
        return;
      }
      self.complete(result);
    }
  };

  template <typename MutableBuffers>
  struct ReadOp {
    TlsStream& stream;
    MutableBuffers buffers;
    enum { kStart, kPosted, kSocketRead } step = kStart;
    error_code result{};
    std::size_t transferred = 0;

    template <typename Self>
    void operator()(Self& self, error_code ec = {}, std::size_t bytes = 0) {
      if (step == kPosted) {
        self.complete(result, transferred);
        return;
      }
      if (step == kSocketRead) {
        if (ec) {
          self.complete(stream.MapReadError(ec), 0);
          return;
        }
        stream.CommitInput(bytes);
      }
      const boost::asio::mutable_buffer target = FirstBuffer();
      if (!stream.ok()) {
        result = boost::asio::error::no_memory;
      } else {
        // Decrypt records until the caller's buffer is full or the input runs dry; wait for the
        // socket only while nothing has been decrypted yet.
        while (transferred < target.size()) {
          std::size_t n = 0;
          char* at = static_cast<char*>(target.data()) + transferred;
          const int ask =
              static_cast<int>(std::min<std::size_t>(target.size() - transferred, 1u << 30));
          const Want want =
              stream.Perform([&] { return ::SSL_read(stream.state_->ssl, at, ask); }, result, n);
          if (want == Want::kDone) {
            transferred += n;
            continue;
          }
          if (want == Want::kInput && transferred == 0) {
            step = kSocketRead;
            stream.socket_.async_read_some(stream.InputSpace(), std::move(self));
            return;
          }
          if (want == Want::kInput || transferred > 0) result = {};  // report the error next time
          break;
        }
      }
      if (step == kStart) {
        step = kPosted;
        boost::asio::post(std::move(self));
        return;
      }
      self.complete(result, transferred);
    }

    boost::asio::mutable_buffer FirstBuffer() const {
      for (auto it = boost::asio::buffer_sequence_begin(buffers);
           it != boost::asio::buffer_sequence_end(buffers); ++it) {
        const boost::asio::mutable_buffer buffer(*it);
        if (buffer.size() > 0) return buffer;
      }
      return {};
    }
  };

  template <typename ConstBuffers>
  struct WriteOp {
    TlsStream& stream;
    ConstBuffers buffers;
    enum { kStart, kPosted, kSocketWrite } step = kStart;
    error_code result{};
    std::size_t transferred = 0;
    boost::asio::const_buffer unsent{};

    // The socket writes go through async_write_some directly: asio::async_write would cut the
    // ciphertext into 64 KiB calls.
    template <typename Self>
    void operator()(Self& self, error_code ec = {}, std::size_t bytes = 0) {
      switch (step) {
        case kStart:
          if (!stream.ok()) {
            result = boost::asio::error::no_memory;
          } else {
            transferred = stream.Encrypt(buffers, result);
          }
          if (!result && !stream.state_->out.empty()) {
            step = kSocketWrite;
            unsent = stream.StartFlush();
            stream.socket_.async_write_some(unsent, std::move(self));
            return;
          }
          step = kPosted;
          boost::asio::post(std::move(self));
          return;
        case kPosted:
          self.complete(result, result ? 0 : transferred);
          return;
        case kSocketWrite:
          unsent += bytes;
          if (!ec && unsent.size() > 0) {
            stream.socket_.async_write_some(unsent, std::move(self));
            return;
          }
          stream.FinishFlush();
          self.complete(ec, ec ? 0 : transferred);
          return;
      }
    }
  };

  struct ShutdownOp {
    TlsStream& stream;
    enum { kStart, kPosted, kSocketWrite } step = kStart;

    template <typename Self>
    void operator()(Self& self, error_code ec = {}, std::size_t /*bytes*/ = 0) {
      switch (step) {
        case kStart:
          if (stream.ok()) {
            ::ERR_clear_error();
            ::SSL_shutdown(stream.state_->ssl);
          }
          if (stream.ok() && !stream.state_->out.empty()) {
            step = kSocketWrite;
            boost::asio::async_write(stream.socket_, stream.StartFlush(), std::move(self));
            return;
          }
          step = kPosted;
          boost::asio::post(std::move(self));
          return;
        case kPosted:
          self.complete(error_code{});
          return;
        case kSocketWrite:
          stream.FinishFlush();
          self.complete(ec);
          return;
      }
    }
  };

  socket_type socket_;
  std::unique_ptr<State> state_;
};

template <typename ConstBuffers>
std::size_t TlsStream::Encrypt(const ConstBuffers& buffers, error_code& ec) {
  State& state = *state_;
  std::size_t consumed = 0;
  for (auto it = boost::asio::buffer_sequence_begin(buffers);
       it != boost::asio::buffer_sequence_end(buffers) && consumed < kMaxWriteBytes; ++it) {
    boost::asio::const_buffer buffer(*it);
    buffer = boost::asio::buffer(buffer, kMaxWriteBytes - consumed);
    consumed += buffer.size();
    while (buffer.size() > 0) {
      if (!state.stage.empty() || buffer.size() < kCoalesceBytes) {
        // Fill one record from small buffers (and the head of the next large one).
        const std::size_t take = std::min(buffer.size(), kCoalesceBytes - state.stage.size());
        const char* data = static_cast<const char*>(buffer.data());
        state.stage.insert(state.stage.end(), data, data + take);
        buffer += take;
        if (state.stage.size() == kCoalesceBytes && !EncryptStage(ec)) return 0;
        continue;
      }
      std::size_t written = 0;
      const int length = static_cast<int>(buffer.size());
      Perform([&] { return ::SSL_write(state.ssl, buffer.data(), length); }, ec, written);
      if (!ec && written == 0) ec = boost::asio::ssl::error::unexpected_result;
      if (ec) return 0;
      buffer += written;
    }
  }
  if (!EncryptStage(ec)) return 0;
  return consumed;
}

// Beast's websocket close: send close_notify, then the TCP teardown (shutdown, drain to EOF).
// Only the asynchronous form exists: sessions never close synchronously.
namespace tls_stream_detail {
// Two steps: async_shutdown, then the socket teardown whose result completes the operation.
struct TeardownOp {
  TlsStream& stream;
  boost::beast::role_type role;
  int step = 0;

  template <typename Self>
  void operator()(Self& self, boost::system::error_code ec = {}) {
    switch (step++) {
      case 0:
        stream.async_shutdown(std::move(self));
        return;
      case 1:
        if (ec) {
          self.complete(ec);
          return;
        }
        boost::beast::websocket::async_teardown(role, stream.next_layer(), std::move(self));
        return;
      default:
        self.complete(ec);
        return;
    }
  }
};
}  // namespace tls_stream_detail

template <typename TeardownHandler>
void async_teardown(boost::beast::role_type role, TlsStream& stream, TeardownHandler&& handler) {
  boost::asio::async_compose<TeardownHandler, void(boost::system::error_code)>(
      tls_stream_detail::TeardownOp{stream, role}, handler, stream.next_layer());
}

}  // namespace edgesync::transport
