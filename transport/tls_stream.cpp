#include "transport/tls_stream.h"

#include <openssl/bio.h>
#include <openssl/err.h>

#include <cstring>

namespace edgesync::transport {
namespace {

template <typename State>
int BioRead(BIO* bio, char* data, int length) {
  auto* state = static_cast<State*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  const std::size_t available = state->in_end - state->in_begin;
  if (available == 0) {
    BIO_set_retry_read(bio);
    return -1;
  }
  const std::size_t n = std::min<std::size_t>(available, static_cast<std::size_t>(length));
  std::memcpy(data, state->in.data() + state->in_begin, n);
  state->in_begin += n;
  return static_cast<int>(n);
}

template <typename State>
int BioWrite(BIO* bio, const char* data, int length) {
  auto* state = static_cast<State*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  state->out.insert(state->out.end(), data, data + length);
  return length;
}

long BioCtrl(BIO* /*bio*/, int command, long /*number*/, void* /*pointer*/) {
  return command == BIO_CTRL_FLUSH ? 1 : 0;
}

int BioCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

}  // namespace

// Defined here because State is private: the BIO method table is built once per process.
struct TlsStreamBio {
  template <typename State>
  static BIO_METHOD* Method() {
    static BIO_METHOD* const method = [] {
      BIO_METHOD* created = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
                                         "edgesync tls stream");
      if (created) {
        BIO_meth_set_read(created, &BioRead<State>);
        BIO_meth_set_write(created, &BioWrite<State>);
        BIO_meth_set_ctrl(created, &BioCtrl);
        BIO_meth_set_create(created, &BioCreate);
      }
      return created;
    }();
    return method;
  }
};

TlsStream::TlsStream(socket_type socket, boost::asio::ssl::context& context)
    : socket_(std::move(socket)), state_(std::make_unique<State>()) {
  state_->in.resize(kReadChunk);
  // Room for one 64 KiB write plus record overhead; grows (and stays) up to kMaxWriteBytes.
  state_->out.reserve(66 * 1024);
  state_->writing.reserve(66 * 1024);
  state_->stage.reserve(kCoalesceBytes);
  BIO_METHOD* method = TlsStreamBio::Method<State>();
  SSL* ssl = method ? ::SSL_new(context.native_handle()) : nullptr;
  BIO* bio = ssl ? ::BIO_new(method) : nullptr;
  if (!bio) {
    if (ssl) ::SSL_free(ssl);
    return;
  }
  BIO_set_data(bio, state_.get());
  ::SSL_set_bio(ssl, bio, bio);  // one reference, owned by ssl
  state_->ssl = ssl;
}

TlsStream::~TlsStream() {
  if (state_ && state_->ssl) ::SSL_free(state_->ssl);
}

TlsStream::Want TlsStream::Classify(int result, error_code& ec, std::size_t& transferred) {
  const int ssl_error = ::SSL_get_error(state_->ssl, result);
  const unsigned long library_error = ::ERR_get_error();
  ec = {};
  switch (ssl_error) {
    case SSL_ERROR_NONE:
      transferred = result > 0 ? static_cast<std::size_t>(result) : 0;
      return Want::kDone;
    case SSL_ERROR_WANT_READ:
      return Want::kInput;
    case SSL_ERROR_ZERO_RETURN:
      ec = boost::asio::error::eof;
      return Want::kError;
    case SSL_ERROR_SSL:
    case SSL_ERROR_SYSCALL:
      if (library_error != 0) {
        ec = error_code(static_cast<int>(library_error), boost::asio::error::get_ssl_category());
      } else {
        ec = boost::asio::ssl::error::unspecified_system_error;
      }
      return Want::kError;
    default:
      ec = boost::asio::ssl::error::unexpected_result;
      return Want::kError;
  }
}

boost::asio::mutable_buffer TlsStream::InputSpace() {
  State& state = *state_;
  if (state.in_begin == state.in_end) {
    state.in_begin = state.in_end = 0;
  } else if (state.in_begin > 0) {  // keep a partial record, move it to the front
    std::memmove(state.in.data(), state.in.data() + state.in_begin,
                 state.in_end - state.in_begin);
    state.in_end -= state.in_begin;
    state.in_begin = 0;
  }
  return boost::asio::buffer(state.in.data() + state.in_end, state.in.size() - state.in_end);
}

TlsStream::error_code TlsStream::MapReadError(error_code ec) const {
  if (ec != boost::asio::error::eof) return ec;
  if (state_ && state_->ssl && (::SSL_get_shutdown(state_->ssl) & SSL_RECEIVED_SHUTDOWN) != 0) {
    return ec;
  }
  return boost::asio::ssl::error::stream_truncated;
}

bool TlsStream::EncryptStage(error_code& ec) {
  State& state = *state_;
  if (state.stage.empty()) return true;
  std::size_t written = 0;
  const int length = static_cast<int>(state.stage.size());
  Perform([&] { return ::SSL_write(state.ssl, state.stage.data(), length); }, ec, written);
  if (!ec && written != state.stage.size()) ec = boost::asio::ssl::error::unexpected_result;
  state.stage.clear();
  return !ec;
}

}  // namespace edgesync::transport
