#include "tests/support/s3rver_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "tests/support/poll_until.h"
#include "tests/support/loopback_address.h"

namespace edgesync::objectstore::testing {
namespace {

using ::edgesync::testing::LoopbackAddress;

// Binds a socket to an ephemeral loopback port; returns the fd and sets *port.
int BindEphemeral(uint16_t* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = LoopbackAddress(0);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("bind failed");
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

bool Accepts(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = LoopbackAddress(port);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

}  // namespace

uint16_t FreePort() {
  uint16_t port = 0;
  close(BindEphemeral(&port));
  return port;
}

ClosedPort::ClosedPort() { fd_ = BindEphemeral(&port_); }
ClosedPort::~ClosedPort() { close(fd_); }

S3rverServer::S3rverServer() {
  std::filesystem::create_directories(dir_ / "data");
  // The port may be taken between FreePort and s3rver's bind; then s3rver exits and we retry.
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = FreePort();
    process_ = std::make_unique<::edgesync::testing::BackgroundProcess>(
        // s3rver 3.7.1 encrypts ListObjectsV2 continuation tokens with DES, which Node's
        // OpenSSL 3 offers only with the legacy provider (without it, page 2 is a 500).
        std::vector<std::string>{NODE_BIN, "--openssl-legacy-provider", S3RVER_LAUNCHER,
                                 std::to_string(getpid()), S3RVER_JS, "--directory", (dir_ / "data").string(),
                                 "--address", "127.0.0.1", "--port", std::to_string(port_), "--silent",
                                 "--service-endpoint", "localhost", "--configure-bucket", kBucket},
        dir_ / "s3rver.out", dir_ / "s3rver.err");
    bool up = ::edgesync::testing::PollUntil([&] { return !process_->running() || Accepts(port_); },
                                             std::chrono::seconds(30), std::chrono::milliseconds(50));
    if (up && process_->running()) return;
    process_.reset();
  }
  throw std::runtime_error("s3rver did not start: " + ::edgesync::testing::ReadFileText(dir_ / "s3rver.err"));
}

S3rverServer::~S3rverServer() { process_.reset(); }

S3Config S3rverServer::Config(uint16_t port) const {
  S3Config config;
  config.https = false;
  config.host = "127.0.0.1";
  config.port = port != 0 ? port : port_;
  config.path_style = true;
  config.credentials.access_key_id = kAccessKey;
  config.credentials.secret_access_key = kSecret;
  config.credentials.source = "the test";
  return config;
}

std::unique_ptr<S3Client> S3rverServer::Client(HttpLimits limits, uint16_t port) const {
  Result<std::unique_ptr<S3Client>> client = S3Client::Create(Config(port), limits);
  if (!client.ok()) throw std::runtime_error(client.status().ToString());
  return std::move(*client);
}

}  // namespace edgesync::objectstore::testing
