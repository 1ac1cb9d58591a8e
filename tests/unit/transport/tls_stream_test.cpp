// TlsStream with the test in the middle of the client-to-server direction: two loopback TCP
// connections joined by the test, which forwards the client's ciphertext to the server in pieces
// it chooses, as a link of small packets would deliver it.
#include "transport/tls_stream.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/unit/transport/test_pki.h"
#include "transport/tls_context.h"

namespace edgesync::transport {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr auto kDeadline = 10s;
constexpr std::size_t kRecordHeader = 5;
constexpr std::size_t kTls13RecordOverhead = 17;  // inner content type + GCM tag

// A connected pair of loopback TCP sockets on `io`: first connects, second is accepted.
std::pair<tcp::socket, tcp::socket> ConnectedPair(asio::io_context& io) {
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket connecting(io), accepted(io);
  connecting.connect(acceptor.local_endpoint());
  acceptor.accept(accepted);
  return {std::move(connecting), std::move(accepted)};
}

std::shared_ptr<asio::ssl::context> Context(testing::TestPki& pki, const std::string& node) {
  const auto files = pki.Issue(node);
  auto material = LoadTlsMaterial({files.ca_cert, files.cert, files.key, {}});
  EXPECT_TRUE(material.ok()) << material.status().ToString();
  auto context = CreateTlsContext(*material, node);
  EXPECT_TRUE(context.ok()) << context.status().ToString();
  return *context;
}

// Bytes available on `fd` within `wait`, appended to `out`; false when none came.
bool ReceiveSome(int fd, std::string* out, std::chrono::milliseconds wait) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return false;
  char buffer[65536];
  const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
  if (n <= 0) return false;
  out->append(buffer, static_cast<std::size_t>(n));
  return true;
}

void SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    ASSERT_GT(n, 0);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

template <typename T>
bool Ready(std::future<T>& f, std::chrono::milliseconds wait = 0ms) {
  return f.wait_for(wait) == std::future_status::ready;
}

class TlsStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto [client_socket, relay_in] = ConnectedPair(io_);
    auto [relay_out, server_socket] = ConnectedPair(io_);
    relay_in_ = std::move(relay_in);
    relay_out_ = std::move(relay_out);
    client_.emplace(std::move(client_socket), *client_context_);
    server_.emplace(std::move(server_socket), *server_context_);
    io_thread_ = std::thread([this] { io_.run(); });
    // Server to client is forwarded as it comes (handshake replies, session tickets).
    back_thread_ = std::thread([in = relay_out_.native_handle(), out = relay_in_.native_handle()] {
      char buffer[65536];
      for (;;) {
        const ssize_t n = ::recv(in, buffer, sizeof(buffer), 0);
        if (n <= 0) return;
        if (::send(out, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) return;
      }
    });
    auto client_done =
        client_->async_handshake(asio::ssl::stream_base::client, asio::use_future);
    auto server_done =
        server_->async_handshake(asio::ssl::stream_base::server, asio::use_future);
    const auto until = std::chrono::steady_clock::now() + kDeadline;
    while (!(Ready(client_done) && Ready(server_done)) && std::chrono::steady_clock::now() < until) {
      std::string bytes;
      if (ReceiveSome(relay_in_.native_handle(), &bytes, 10ms))
        SendAll(relay_out_.native_handle(), bytes);
    }
    ASSERT_TRUE(Ready(client_done) && Ready(server_done)) << "handshake did not finish";
    client_done.get();
    server_done.get();
  }

  void TearDown() override {
    ::shutdown(relay_out_.native_handle(), SHUT_RDWR);  // ends the back thread
    if (back_thread_.joinable()) back_thread_.join();
    // Pending reads end (aborted) while the streams still exist; then the streams go.
    asio::post(io_, [this] {
      if (client_) client_->next_layer().close();
      if (server_) server_->next_layer().close();
    });
    work_.reset();
    if (io_thread_.joinable()) io_thread_.join();
    client_.reset();
    server_.reset();
  }

  // Reads from the relay everything the client sent for `plaintext_bytes` of application data;
  // returns it split into its records.
  std::vector<std::string> CiphertextRecords(std::size_t plaintext_bytes) {
    std::string bytes;
    std::vector<std::string> records;
    std::size_t plaintext = 0;
    const auto until = std::chrono::steady_clock::now() + kDeadline;
    while (plaintext < plaintext_bytes && std::chrono::steady_clock::now() < until) {
      ReceiveSome(relay_in_.native_handle(), &bytes, 10ms);
      while (bytes.size() >= kRecordHeader) {
        const std::size_t body = (static_cast<std::size_t>(static_cast<unsigned char>(bytes[3])) << 8) |
                                 static_cast<unsigned char>(bytes[4]);
        if (bytes.size() < kRecordHeader + body) break;
        records.push_back(bytes.substr(0, kRecordHeader + body));
        bytes.erase(0, kRecordHeader + body);
        plaintext += body - kTls13RecordOverhead;
      }
    }
    EXPECT_EQ(plaintext, plaintext_bytes);
    EXPECT_TRUE(bytes.empty());
    return records;
  }

  std::future<std::size_t> Read(std::string* into, std::size_t offset) {
    return server_->async_read_some(asio::buffer(into->data() + offset, into->size() - offset),
                                    asio::use_future);
  }

  testing::TestPki pki_{"tls-stream-test"};
  std::shared_ptr<asio::ssl::context> client_context_ = Context(pki_, "client");
  std::shared_ptr<asio::ssl::context> server_context_ = Context(pki_, "server");
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  // The relay's ends: blocking sockets used with plain system calls, never with Asio operations.
  tcp::socket relay_in_{io_}, relay_out_{io_};
  std::optional<TlsStream> client_, server_;
  std::thread io_thread_, back_thread_;
};

std::string Pattern(std::size_t size) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 131) ^ (i >> 9));
  return s;
}

TEST_F(TlsStreamTest, RecordsArrivingOneByteAtATimeAreReadWhole) {
  const std::string message = Pattern(40 * 1024);
  auto written = client_->async_write_some(asio::buffer(message), asio::use_future);
  const auto records = CiphertextRecords(message.size());
  ASSERT_TRUE(Ready(written, 10s));

  std::string received(message.size(), '\0');
  std::size_t got = 0;
  auto read = Read(&received, got);
  for (const auto& record : records) {
    for (char byte : record) SendAll(relay_out_.native_handle(), std::string_view(&byte, 1));
    // Each read ends with the record that completed it (the next has not begun).
    ASSERT_TRUE(Ready(read, 10s)) << "read stalled after " << got << " bytes";
    const std::size_t n = read.get();
    EXPECT_EQ(n, record.size() - kRecordHeader - kTls13RecordOverhead);
    got += n;
    if (got < message.size()) read = Read(&received, got);
  }
  ASSERT_EQ(got, message.size());
  EXPECT_EQ(received, message);
}

}  // namespace
}  // namespace edgesync::transport
