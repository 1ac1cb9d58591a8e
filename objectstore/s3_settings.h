// The inputs of S3 configuration: S3Settings, what the daemon's config file says explicitly
// (its future `[s3]` section), and S3Environment, what the AWS tools read from the process
// environment. Resolution (aws_profile.h, s3_credentials.h, s3_config.h) is a pure function of
// these two plus the files they name, so tests pass their own.
//
// Value types, safe to share between threads.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace edgesync::objectstore {

// Each field, when set, overrides whatever the environment and ~/.aws say.
struct S3Settings {
  std::string endpoint;            // "https://s3.example.net" or "http://127.0.0.1:9000"
  std::string region;              // "eu-west-1"
  std::optional<bool> path_style;  // true: https://host/bucket/key; false: https://bucket.host/key
  std::string credentials_file;    // an AWS credentials file, read instead of the environment's keys
  std::string profile;             // the profile to read from the credentials and config files
};

struct S3Environment {
  std::map<std::string, std::string> vars;  // only the AWS_* variables are read
  std::string home;                         // where ~/.aws is

  // The process's AWS_* variables and $HOME.
  static S3Environment FromProcess();
  // The variable's value, "" when unset.
  std::string Get(const std::string& name) const;
};

}  // namespace edgesync::objectstore
