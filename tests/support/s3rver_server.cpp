#include "tests/support/s3rver_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
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

// KEY=VALUE lines; blank lines and '#' comments skipped.
std::map<std::string, std::string> ReadSettingsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read EDGESYNC_TEST_S3_ENV_FILE " + path);
  std::map<std::string, std::string> settings;
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    settings[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return settings;
}

// Lower-case letters, digits and '-', under S3's 63 characters, unique across processes
// sharing one server (pid, a counter, and randomness for pids reused between runs).
std::string UniqueBucketName() {
  static std::atomic<int> counter{0};
  std::random_device random;
  char name[64];
  std::snprintf(name, sizeof name, "edgesync-test-%d-%d-%08x", static_cast<int>(getpid()), counter++,
                static_cast<unsigned>(random()));
  return name;
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
  if (!ReadExternalSettings()) {
    StartS3rver();
    return;
  }
  external_ = true;
  bucket_ = UniqueBucketName();
  Status created = Client()->CreateBucket(bucket_);
  if (!created.ok()) throw std::runtime_error("cannot create the test bucket: " + created.ToString());
}

S3rverServer::~S3rverServer() {
  if (external_) RemoveExternalBucket();
  process_.reset();
}

bool S3rverServer::ReadExternalSettings() {
  std::map<std::string, std::string> settings;
  if (const char* file = std::getenv("EDGESYNC_TEST_S3_ENV_FILE"); file != nullptr && *file != '\0') {
    settings = ReadSettingsFile(file);
  } else {
    for (const char* name :
         {"EDGESYNC_TEST_S3_ENDPOINT", "EDGESYNC_TEST_S3_ACCESS_KEY", "EDGESYNC_TEST_S3_SECRET_KEY",
          "EDGESYNC_TEST_S3_REGION", "EDGESYNC_TEST_S3_VHOST_DOMAIN"}) {
      if (const char* value = std::getenv(name)) settings[name] = value;
    }
  }
  const std::string endpoint = settings["EDGESYNC_TEST_S3_ENDPOINT"];
  if (endpoint.empty()) return false;
  static const std::string kPrefix = "http://127.0.0.1:";
  if (endpoint.rfind(kPrefix, 0) != 0) {
    throw std::runtime_error("EDGESYNC_TEST_S3_ENDPOINT must be http://127.0.0.1:PORT, not " + endpoint);
  }
  port_ = static_cast<uint16_t>(std::stoi(endpoint.substr(kPrefix.size())));
  access_key_ = settings["EDGESYNC_TEST_S3_ACCESS_KEY"];
  secret_ = settings["EDGESYNC_TEST_S3_SECRET_KEY"];
  if (access_key_.empty() || secret_.empty()) {
    throw std::runtime_error(
        "EDGESYNC_TEST_S3_ENDPOINT is set without EDGESYNC_TEST_S3_ACCESS_KEY and _SECRET_KEY");
  }
  if (!settings["EDGESYNC_TEST_S3_REGION"].empty()) region_ = settings["EDGESYNC_TEST_S3_REGION"];
  vhost_domain_ = settings["EDGESYNC_TEST_S3_VHOST_DOMAIN"];
  return true;
}

// Best effort: the server is a throwaway one, so what cannot be removed (objects of unfinished
// multipart uploads, say) only costs it memory until it stops.
void S3rverServer::RemoveExternalBucket() {
  std::unique_ptr<S3Client> client = Client();
  Result<std::vector<ObjectInfo>> objects = client->List(bucket_, "");
  if (objects.ok()) {
    for (const ObjectInfo& object : *objects) (void)client->Delete(bucket_, object.key);
  }
  (void)client->DeleteBucket(bucket_);
}

void S3rverServer::StartS3rver() {
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

S3Config S3rverServer::Config(uint16_t port) const {
  S3Config config;
  config.https = false;
  config.host = "127.0.0.1";
  config.port = port != 0 ? port : port_;
  config.path_style = true;
  config.region = region_;
  config.credentials.access_key_id = access_key_;
  config.credentials.secret_access_key = secret_;
  config.credentials.source = "the test";
  return config;
}

std::unique_ptr<S3Client> S3rverServer::Client(HttpLimits limits, uint16_t port) const {
  Result<std::unique_ptr<S3Client>> client = S3Client::Create(Config(port), limits);
  if (!client.ok()) throw std::runtime_error(client.status().ToString());
  return std::move(*client);
}

}  // namespace edgesync::objectstore::testing
