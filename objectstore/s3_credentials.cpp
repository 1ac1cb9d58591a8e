#include "objectstore/s3_credentials.h"

namespace edgesync::objectstore {
namespace {

// Keys from `section`-like lookups, checked for a half-configured pair.
Result<S3Credentials> FromPair(std::string id, std::string secret, std::string token, std::string source,
                               const std::string& id_name, const std::string& secret_name) {
  if (id.empty() != secret.empty()) {
    return Status::InvalidArgument(source + " sets " + (id.empty() ? secret_name : id_name) + " but not " +
                                   (id.empty() ? id_name : secret_name));
  }
  S3Credentials credentials;
  credentials.access_key_id = std::move(id);
  credentials.secret_access_key = std::move(secret);
  credentials.session_token = std::move(token);
  credentials.source = std::move(source);
  return credentials;
}

}  // namespace

std::string S3Credentials::ToString() const {
  if (anonymous()) return "no credentials (unsigned requests)";
  // The key id is not a secret (AWS prints it in errors) but its tail is enough to tell keys apart.
  std::string tail = access_key_id.size() > 4 ? access_key_id.substr(access_key_id.size() - 4) : "";
  return "access key …" + tail + (session_token.empty() ? "" : " with a session token") + " from " + source;
}

Result<S3Credentials> ResolveS3Credentials(const S3Settings& settings, const S3Environment& env,
                                           const AwsProfile& profile) {
  std::string in_profile = profile.credentials_path + " [" + profile.name + "]";
  auto from_profile = [&]() {
    bool in_credentials =
        profile.credentials.count("aws_access_key_id") || profile.credentials.count("aws_secret_access_key");
    return FromPair(profile.Get("aws_access_key_id"), profile.Get("aws_secret_access_key"),
                    profile.Get("aws_session_token"),
                    in_credentials ? in_profile : profile.config_path + " [profile " + profile.name + "]",
                    "aws_access_key_id", "aws_secret_access_key");
  };
  if (!settings.credentials_file.empty()) {
    Result<S3Credentials> credentials = from_profile();
    if (credentials.ok() && credentials->anonymous()) {
      return Status::NotFound("the configured credentials file has no keys for profile '" + profile.name +
                              "' (" + in_profile + ")");
    }
    return credentials;
  }
  std::string id = env.Get("AWS_ACCESS_KEY_ID");
  std::string secret = env.Get("AWS_SECRET_ACCESS_KEY");
  if (!id.empty() || !secret.empty()) {
    return FromPair(id, secret, env.Get("AWS_SESSION_TOKEN"), "the environment", "AWS_ACCESS_KEY_ID",
                    "AWS_SECRET_ACCESS_KEY");
  }
  return from_profile();
}

}  // namespace edgesync::objectstore
