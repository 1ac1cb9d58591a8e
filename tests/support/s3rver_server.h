// S3rverServer: a real S3 server for the objectstore tests: s3rver (npm, pinned in
// package-lock.json, installed by install_s3rver.sh) on 127.0.0.1, a free port, a temporary
// data directory, one bucket (kBucket). Ready when the constructor returns (the port is
// polled until it accepts); stopped and its directory removed on destruction.
//
// What s3rver checks, and what it does not: it accepts only the access key id "S3RVER"
// (InvalidAccessKeyId, 403, for any other) and needs x-amz-content-sha256 and a date within
// 15 minutes, but it does not verify SigV4 signatures (any secret passes), ignores If-Match
// and does not check payload hashes.
//
// An external server instead (Ceph RGW in `make test-long`): when EDGESYNC_TEST_S3_ENV_FILE
// names a file of KEY=VALUE lines (tests/integration/objectstore/ceph/start_rgw.sh writes one),
// or else when the environment itself has them, with
//   EDGESYNC_TEST_S3_ENDPOINT       http://127.0.0.1:PORT (plain http on loopback: the tests'
//                                   fronts forward to that port)
//   EDGESYNC_TEST_S3_ACCESS_KEY, EDGESYNC_TEST_S3_SECRET_KEY
//   EDGESYNC_TEST_S3_REGION         optional, default us-east-1
//   EDGESYNC_TEST_S3_VHOST_DOMAIN   optional: the host name under which <bucket>.<name> reaches
//                                   the server (virtual-hosted style)
// no s3rver starts; each instance creates a bucket of its own with a unique name (tests expect
// an empty bucket), and empties and deletes it on destruction. Tests then use bucket(),
// access_key() and secret(), and skip what needs s3rver itself (external() says which).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "objectstore/s3_client.h"
#include "objectstore/s3_config.h"
#include "tests/support/process_runner.h"
#include "tests/support/temp_dir.h"

namespace edgesync::objectstore::testing {

class S3rverServer {
 public:
  static constexpr char kBucket[] = "edgesync-test";  // s3rver's bucket; bucket() in general
  static constexpr char kAccessKey[] = "S3RVER";      // s3rver's one account
  static constexpr char kSecret[] = "S3RVER";

  // Throws std::runtime_error when s3rver does not come up in 30 s (with its output), or when
  // the external server's settings are incomplete or its bucket cannot be created.
  S3rverServer();
  ~S3rverServer();
  S3rverServer(const S3rverServer&) = delete;
  S3rverServer& operator=(const S3rverServer&) = delete;

  bool external() const { return external_; }
  const std::string& bucket() const { return bucket_; }
  const std::string& access_key() const { return access_key_; }
  const std::string& secret() const { return secret_; }
  // S3Config::host for virtual-hosted requests (<bucket>.<name>:port); empty when not known.
  const std::string& vhost_domain() const { return vhost_domain_; }

  uint16_t port() const { return port_; }
  // The node process serving the requests; -1 for an external server.
  pid_t pid() const { return external_ ? -1 : process_->pid(); }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Path style against 127.0.0.1:`port` (0: the server's own port, else e.g. a fault front's).
  S3Config Config(uint16_t port = 0) const;
  std::unique_ptr<S3Client> Client(HttpLimits limits = {}, uint16_t port = 0) const;

 private:
  void StartS3rver();
  // Reads the settings above; false when there are none.
  bool ReadExternalSettings();
  void RemoveExternalBucket();

  ::edgesync::testing::TempDir dir_;
  bool external_ = false;
  uint16_t port_ = 0;
  std::string bucket_ = kBucket;
  std::string access_key_ = kAccessKey;
  std::string secret_ = kSecret;
  std::string region_ = "us-east-1";
  // s3rver started with --service-endpoint localhost; libcurl resolves *.localhost itself.
  std::string vhost_domain_ = "s3.localhost";
  std::unique_ptr<::edgesync::testing::BackgroundProcess> process_;
};

// A port on 127.0.0.1 nothing listens on, for the duration of the test: bound, never listened
// on, so connecting is refused at once.
class ClosedPort {
 public:
  ClosedPort();
  ~ClosedPort();
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// A port that was free a moment ago.
uint16_t FreePort();

}  // namespace edgesync::objectstore::testing
