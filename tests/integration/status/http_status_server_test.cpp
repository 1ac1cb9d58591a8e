// The status server in-process, driven by real HTTP and WebSocket clients over loopback.
#include "status/http_status_server.h"

#include <utility>  // before Asio: Boost 1.74 needs std::exchange
#include <atomic>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "status/http_access.h"
#include "tests/integration/status/status_client.h"
#include "tests/support/poll_until.h"

namespace edgesync {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::HttpGet;
using testing::PollUntil;
using testing::StatusClient;

// A plain TCP client, for what HttpGet hides: several requests on one connection, and whether
// the server closes it.
class RawClient {
 public:
  explicit RawClient(uint16_t port) { socket_.connect({asio::ip::make_address("127.0.0.1"), port}); }
  void Send(const std::string& text) { asio::write(socket_, asio::buffer(text)); }
  // False when `delimiter` has not arrived within `timeout` (or the connection closed first).
  bool ReadUntil(const std::string& delimiter, std::chrono::seconds timeout) {
    boost::system::error_code ec;
    asio::async_read_until(socket_, asio::dynamic_buffer(received_), delimiter,
                           [&](boost::system::error_code e, size_t) { ec = e; });
    Run(timeout);
    return !ec;
  }
  // False when the server has not closed the connection within `timeout`.
  bool ReadUntilClosed(std::chrono::seconds timeout) {
    boost::system::error_code ec;
    asio::async_read(socket_, asio::dynamic_buffer(received_),
                     [&](boost::system::error_code e, size_t) { ec = e; });
    Run(timeout);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }
  // The status lines of the responses received so far, in order.
  std::vector<std::string> StatusLines() const {
    std::vector<std::string> lines;
    for (size_t at = received_.find("HTTP/1.1 "); at != std::string::npos;
         at = received_.find("HTTP/1.1 ", at + 1)) {
      lines.push_back(received_.substr(at, received_.find("\r\n", at) - at));
    }
    return lines;
  }
  const std::string& received() const { return received_; }

 private:
  // Runs the pending read to its end; one still pending after `timeout` is cancelled.
  void Run(std::chrono::seconds timeout) {
    io_.restart();
    io_.run_for(timeout);
    if (io_.stopped()) return;
    socket_.cancel();
    io_.run();
  }

  asio::io_context io_;
  asio::ip::tcp::socket socket_{io_};
  std::string received_;
};

class HttpStatusServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpStatusOptions options) {
    asio::ip::tcp::acceptor reserve(io_);
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    reserve.open(endpoint.protocol());
    reserve.bind(endpoint);
    port_ = reserve.local_endpoint().port();
    if (options.allowed_origins.empty()) options.allowed_origins = DefaultAllowedOrigins("127.0.0.1", port_);
    options.snapshot = [] { return std::string(R"({"type":"snapshot","v":1})"); };
    options.metrics = [] { return std::string("edgesync_test_total 7\n"); };
    options.page = "<!doctype html><title>dashboard</title>";
    options.on_auth_failure = [this](const std::string&) { ++auth_failures_; };
    auto server = HttpStatusServer::Start(io_, reserve.release(), hub_, std::move(options));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  void TearDown() override {
    if (server_) server_->Stop();
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }

  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{io_.get_executor()};
  std::vector<std::thread> threads_;
  StatusHub hub_;
  std::unique_ptr<HttpStatusServer> server_;
  uint16_t port_ = 0;
  std::atomic<int> auth_failures_{0};
};

TEST_F(HttpStatusServerTest, ServesThePageMetricsAnd404) {
  StartServer({});
  auto page = HttpGet(port_, "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.headers["Content-Type"], "text/html; charset=utf-8");
  EXPECT_EQ(page.body, "<!doctype html><title>dashboard</title>");
  auto metrics = HttpGet(port_, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(metrics.body, "edgesync_test_total 7\n");
  EXPECT_EQ(HttpGet(port_, "/nope").status, 404);
  EXPECT_EQ(HttpGet(port_, "/status").status, 426);  // plain GET, no upgrade
}

TEST_F(HttpStatusServerTest, TokenGuardsStatusAndMetricsButNotThePage) {
  HttpStatusOptions options;
  options.token = "s3cret";
  StartServer(std::move(options));
  EXPECT_EQ(HttpGet(port_, "/").status, 200);
  EXPECT_EQ(HttpGet(port_, "/metrics").status, 401);
  EXPECT_EQ(HttpGet(port_, "/metrics", {{"Authorization", "Bearer wrong"}}).status, 401);
  EXPECT_EQ(HttpGet(port_, "/metrics", {{"Authorization", "Bearer s3cret"}}).status, 200);
  EXPECT_EQ(auth_failures_.load(), 2);
  StatusClient anonymous, wrong, header, query;
  EXPECT_EQ(anonymous.Open(port_, "/status"), 401);
  EXPECT_EQ(wrong.Open(port_, "/status?token=nope"), 401);
  EXPECT_EQ(header.Open(port_, "/status", {{"Authorization", "Bearer s3cret"}}), 101);
  EXPECT_EQ(query.Open(port_, "/status?token=s3cret"), 101);
  auto first = query.Read();
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, R"({"type":"snapshot","v":1})");
  // StatusClient asks a refused upgrade twice (the second time to read its status).
  EXPECT_EQ(auth_failures_.load(), 2 + 2 * 2);
}

TEST_F(HttpStatusServerTest, ForeignOriginsAreRefused) {
  StartServer({});
  StatusClient evil, own, cli;
  EXPECT_EQ(evil.Open(port_, "/status", {{"Origin", "http://evil.example"}}), 403);
  EXPECT_EQ(own.Open(port_, "/status", {{"Origin", "http://localhost:" + std::to_string(port_)}}), 101);
  EXPECT_EQ(cli.Open(port_, "/status"), 101);  // no Origin: not a browser
}

TEST_F(HttpStatusServerTest, OversizedHeadersAreRefused) {
  StartServer({});
  std::string raw = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  EXPECT_EQ(testing::HttpRaw(port_, raw).status, 431);
}

TEST_F(HttpStatusServerTest, ClientsBeyondTheLimitGet503) {
  HttpStatusOptions options;
  options.max_clients = 3;
  StartServer(std::move(options));
  StatusClient c[4];
  for (int i = 0; i < 3; ++i) ASSERT_EQ(c[i].Open(port_, "/status"), 101);
  EXPECT_EQ(c[3].Open(port_, "/status"), 503);
}

// A client that stops reading is disconnected once its queue is full; a reading client gets
// every message.
TEST_F(HttpStatusServerTest, SlowClientIsDroppedWhileOthersKeepReceiving) {
  HttpStatusOptions options;
  options.queue = {16, 1u << 20};
  StartServer(std::move(options));
  StatusClient slow, fast;
  ASSERT_EQ(slow.Open(port_, "/status", {}, 4096), 101);
  ASSERT_EQ(fast.Open(port_, "/status"), 101);
  ASSERT_TRUE(fast.Read());  // snapshot
  constexpr int kMessages = 300;
  std::atomic<int> received{0};
  std::thread reader([&] {
    while (received < kMessages) {
      auto m = fast.Read(10s);
      if (!m) break;
      ++received;
    }
  });
  const std::string big(64 * 1024, 'x');
  for (int i = 0; i < kMessages; ++i) {
    // Paced by the fast reader, never more than half its queue ahead, so only a reader that
    // does not read at all can be the slow one, however loaded the machine is.
    if (!PollUntil([&] { return received.load() >= i - 8; }, 30s)) {
      ADD_FAILURE() << "the fast reader stopped at " << received.load();
      break;
    }
    hub_.Publish(R"({"type":"test","n":)" + std::to_string(i) + R"(,"pad":")" + big + "\"}");
  }
  reader.join();
  EXPECT_EQ(received.load(), kMessages);
  EXPECT_EQ(server_->dropped_slow_clients(), 1u);
  // The slow client finds its connection closed after what was already in flight.
  int drained = 0;
  while (slow.Read(5s)) ++drained;
  EXPECT_LT(drained, kMessages);
  EXPECT_TRUE(slow.closed());
}

// Keep-alive: requests on one connection are answered in order until one asks to close it.
TEST_F(HttpStatusServerTest, AnswersRequestsOnOneConnectionUntilOneAsksToClose) {
  StartServer({});
  RawClient client(port_);
  client.Send(
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(client.ReadUntilClosed(10s)) << client.received();
  EXPECT_EQ(
      client.StatusLines(),
      (std::vector<std::string>{"HTTP/1.1 200 OK", "HTTP/1.1 405 Method Not Allowed", "HTTP/1.1 200 OK"}));
  EXPECT_NE(client.received().find("edgesync_test_total 7\n"), std::string::npos);
  // Every route is a GET: a body is refused and the connection closed.
  RawClient body(port_);
  body.Send("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  ASSERT_TRUE(body.ReadUntilClosed(10s)) << body.received();
  EXPECT_EQ(body.StatusLines(), std::vector<std::string>{"HTTP/1.1 413 Payload Too Large"});
}

// A feed whose client went away ends, and its place is free for the next client.
TEST_F(HttpStatusServerTest, AFeedWhoseClientLeftFreesItsPlace) {
  HttpStatusOptions options;
  options.max_clients = 1;
  StartServer(std::move(options));
  {
    StatusClient gone;
    ASSERT_EQ(gone.Open(port_, "/status"), 101);
    ASSERT_TRUE(gone.Read());
    EXPECT_EQ(server_->feed_clients(), 1u);
  }
  EXPECT_TRUE(PollUntil([&] { return server_->feed_clients() == 0; }, 10s));
  StatusClient next;
  EXPECT_EQ(next.Open(port_, "/status"), 101);
}

// Stop() closes idle keep-alive connections and feeds alike, so nothing is left for the
// io_context to run: the daemon's shutdown relies on its threads returning by themselves.
TEST_F(HttpStatusServerTest, StopClosesEveryConnectionAndLeavesTheIoContextWithoutWork) {
  StartServer({});
  RawClient idle(port_);
  idle.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(idle.ReadUntil("</title>", 10s));  // answered; the connection stays open
  StatusClient feed;
  ASSERT_EQ(feed.Open(port_, "/status"), 101);
  ASSERT_TRUE(feed.Read());
  server_->Stop();
  work_.reset();
  EXPECT_TRUE(PollUntil([&] { return io_.stopped(); }, 5s));
  EXPECT_TRUE(idle.ReadUntilClosed(5s));
  EXPECT_FALSE(feed.Read(5s));
  EXPECT_TRUE(feed.closed());
}

}  // namespace
}  // namespace edgesync
