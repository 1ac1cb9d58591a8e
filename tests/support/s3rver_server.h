// S3rverServer: a real S3 server for the objectstore tests: s3rver (npm, pinned in
// package-lock.json, installed by install_s3rver.sh) on 127.0.0.1, a free port, a temporary
// data directory, one bucket (kBucket). Ready when the constructor returns (the port is
// polled until it accepts); stopped and its directory removed on destruction.
//
// What s3rver checks, and what it does not: it accepts only the access key id "S3RVER"
// (InvalidAccessKeyId, 403, for any other) and needs x-amz-content-sha256 and a date within
// 15 minutes, but it does not verify SigV4 signatures (any secret passes), ignores If-Match
// and does not check payload hashes.
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
  static constexpr char kBucket[] = "edgesync-test";
  static constexpr char kAccessKey[] = "S3RVER";  // s3rver's one account
  static constexpr char kSecret[] = "S3RVER";

  // Throws std::runtime_error (with s3rver's output) when it does not come up in 30 s.
  S3rverServer();
  ~S3rverServer();
  S3rverServer(const S3rverServer&) = delete;
  S3rverServer& operator=(const S3rverServer&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return process_->pid(); }  // the node process serving the requests
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Path style against 127.0.0.1:`port` (0: the server's own port, else e.g. a fault front's).
  S3Config Config(uint16_t port = 0) const;
  std::unique_ptr<S3Client> Client(HttpLimits limits = {}, uint16_t port = 0) const;

 private:
  ::edgesync::testing::TempDir dir_;
  uint16_t port_ = 0;
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
