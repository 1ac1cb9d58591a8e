// S3cmdRunner: the s3cmd command line (Debian; S3CMD_BIN, set by this folder's CMakeLists)
// against a test server, path style. The server's keys are in a config file in `dir`, a
// test's own temporary directory (mode 0700), never on s3cmd's command line; HOME is `dir`
// too, so no ~/.s3cfg of the machine is read.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/process_runner.h"
#include "tests/support/s3rver_server.h"

namespace edgesync::objectstore::testing {

class S3cmdRunner {
 public:
  S3cmdRunner(const S3rverServer& server, std::filesystem::path dir) : dir_(std::move(dir)) {
    const std::string host = "127.0.0.1:" + std::to_string(server.port());
    ::edgesync::testing::WriteFileText(dir_ / "s3cfg", "[default]\naccess_key = " + server.access_key() +
                                                           "\nsecret_key = " + server.secret() +
                                                           "\nhost_base = " + host +
                                                           // no %(bucket)s: path style
                                                           "\nhost_bucket = " + host +
                                                           "\nbucket_location = us-east-1\n"
                                                           "use_https = False\n"
                                                           "signature_v2 = False\n");
  }

  ::edgesync::testing::ProcessResult Run(std::vector<std::string> args) const {
    args.insert(args.begin(), {S3CMD_BIN, "--config", (dir_ / "s3cfg").string(), "--no-progress"});
    return ::edgesync::testing::RunProcess(args, std::chrono::seconds(60), {"HOME=" + dir_.string()});
  }

 private:
  std::filesystem::path dir_;
};

}  // namespace edgesync::objectstore::testing
