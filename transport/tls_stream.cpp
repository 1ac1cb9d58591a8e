#include "transport/tls_stream.h"

#include <openssl/bio.h>
#include <openssl/err.h>

#include <sys/socket.h>

#include <cstring>

namespace edgesync::transport {
namespace {

// A TLS record: a 5-byte header (content type, legacy version, 16-bit big-endian length), then
// the length's bytes. TLS 1.2 and 1.3 frame every record, handshake included, this way.
constexpr std::size_t kRecordHeaderBytes = 5;

std::size_t RecordBodyBytes(const char* header) {
  return (static_cast<std::size_t>(static_cast<unsigned char>(header[3])) << 8) |
         static_cast<unsigned char>(header[4]);
}

template <typename State>
int BioRead(BIO* bio, char* data, int length) {
  auto* state = static_cast<State*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  const std::size_t available = state->records_end - state->in_begin;
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
    state.in_begin = state.in_end = state.records_end = 0;
  } else if (state.in_begin > 0) {  // keep a partial record, move it to the front
    std::memmove(state.in.data(), state.in.data() + state.in_begin,
                 state.in_end - state.in_begin);
    state.in_end -= state.in_begin;
    state.records_end -= state.in_begin;
    state.in_begin = 0;
  }
  return boost::asio::buffer(state.in.data() + state.in_end, state.in.size() - state.in_end);
}

void TlsStream::CommitInput(std::size_t bytes) {
  State& state = *state_;
  state.in_end += bytes;
  while (state.in_end - state.records_end >= kRecordHeaderBytes) {
    const std::size_t record =
        kRecordHeaderBytes + RecordBodyBytes(state.in.data() + state.records_end);
    if (state.in_end - state.records_end < record) break;
    state.records_end += record;
  }
}

void TlsStream::AwaitRestOfRecord() {
  State& state = *state_;
  const std::size_t partial = state.in_end - state.records_end;
  std::size_t missing = 1;  // nothing of the next record yet: any byte may start it
  if (partial >= kRecordHeaderBytes) {
    missing = kRecordHeaderBytes + RecordBodyBytes(state.in.data() + state.records_end) - partial;
  } else if (partial > 0) {
    missing = kRecordHeaderBytes - partial;
  }
  // A record is at most 5 + 65535 bytes, and the input buffer holds kReadChunk: it always fits.
  SetReceiveLowWater(static_cast<int>(missing));
}

void TlsStream::StopAwaitingRecords() { SetReceiveLowWater(1); }

void TlsStream::SetReceiveLowWater(int bytes) {
  if (bytes == state_->receive_low_water) return;
  // Best effort: if the option cannot be set the socket reports readable for any byte, as before.
  if (::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof(bytes)) == 0)
    state_->receive_low_water = bytes;
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
