// S3Config: where S3 requests go and how they are signed, and ResolveS3Config, which finds it
// the way the AWS tools do, S3Settings overriding everything:
//   endpoint:   S3Settings::endpoint, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's
//               endpoint_url, else AWS (https://s3.<region>.amazonaws.com)
//   region:     S3Settings::region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region,
//               else us-east-1
//   path style: S3Settings::path_style, the profile's s3.addressing_style (path / virtual),
//               else path style for a configured endpoint (MinIO, Ceph RGW and s3rver are
//               usually reached so) and virtual-hosted style for AWS
//   credentials: s3_credentials.h
// ToString() is safe for logs: it never holds the secret or the session token.
// A value type, safe to share between threads.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "objectstore/s3_credentials.h"
#include "objectstore/s3_settings.h"

namespace edgesync::objectstore {

struct S3Config {
  bool https = true;
  std::string host;   // "s3.eu-west-1.amazonaws.com", "127.0.0.1"
  uint16_t port = 0;  // 0: the scheme's default
  std::string region = "us-east-1";
  bool path_style = false;
  S3Credentials credentials;

  // "http://127.0.0.1:4568 (region us-east-1, path style, access key …VER from ...)".
  std::string ToString() const;
  // scheme://host[:port], without a trailing '/'.
  std::string EndpointUrl() const;
};

Result<S3Config> ResolveS3Config(const S3Settings& settings, const S3Environment& env);

}  // namespace edgesync::objectstore
