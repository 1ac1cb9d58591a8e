// AwsProfile: one profile's keys from the AWS credentials file and the AWS config file, found
// as the AWS tools find them:
//   profile:          S3Settings::profile, else AWS_PROFILE, else "default"
//   credentials file: S3Settings::credentials_file, else AWS_SHARED_CREDENTIALS_FILE, else
//                     ~/.aws/credentials (section [name])
//   config file:      AWS_CONFIG_FILE, else ~/.aws/config (section [profile name], or
//                     [default] for the default profile)
// A default file that does not exist is read as empty; an explicitly named file that cannot be
// read, or a profile named explicitly that neither file has, is an error.
// A value type, safe to share between threads.
#pragma once

#include <string>

#include "base/status.h"
#include "objectstore/ini_file.h"
#include "objectstore/s3_settings.h"

namespace edgesync::objectstore {

struct AwsProfile {
  std::string name;
  std::string credentials_path;
  IniFile::Section credentials;  // the profile's keys in the credentials file
  std::string config_path;
  IniFile::Section config;  // the profile's keys in the config file

  // The key from the credentials file, else from the config file; "" when neither has it.
  std::string Get(const std::string& key) const;
};

Result<AwsProfile> LoadAwsProfile(const S3Settings& settings, const S3Environment& env);

}  // namespace edgesync::objectstore
