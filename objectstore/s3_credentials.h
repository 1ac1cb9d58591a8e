// S3Credentials: the keys requests are signed with, and ResolveS3Credentials, which finds them
// in the order the AWS tools use:
//   1. S3Settings::credentials_file set: that file's profile, nothing else (the daemon's
//      config names the file so a service needs no environment);
//   2. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) in the environment;
//   3. the profile (aws_profile.h) in the credentials file, then in the config file
//      (aws_access_key_id, aws_secret_access_key, aws_session_token);
//   4. none: requests go unsigned (public buckets).
// The secret and the session token never appear in ToString() or in any error message.
// A value type, safe to share between threads.
#pragma once

#include <string>

#include "base/status.h"
#include "objectstore/aws_profile.h"
#include "objectstore/s3_settings.h"

namespace edgesync::objectstore {

struct S3Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string source;  // where they were found: "the environment", "<file> [profile]"

  bool anonymous() const { return access_key_id.empty(); }
  // "access key …WXYZ from the environment", or "no credentials (unsigned requests)".
  std::string ToString() const;
};

Result<S3Credentials> ResolveS3Credentials(const S3Settings& settings, const S3Environment& env,
                                           const AwsProfile& profile);

}  // namespace edgesync::objectstore
