#include "objectstore/aws_profile.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace edgesync::objectstore {
namespace {

std::string ExpandHome(const std::string& path, const S3Environment& env) {
  if (path.rfind("~/", 0) == 0) return env.home + path.substr(1);
  return path;
}

// Reads and parses `path`. A missing file is an empty file unless `required`.
Result<IniFile> ReadIni(const std::string& path, bool required) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!required && errno == ENOENT) return IniFile();
    return Status::NotFound("cannot read the AWS file " + path + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return IniFile::Parse(text.str(), path);
}

}  // namespace

std::string AwsProfile::Get(const std::string& key) const {
  if (auto it = credentials.find(key); it != credentials.end()) return it->second;
  if (auto it = config.find(key); it != config.end()) return it->second;
  return "";
}

Result<AwsProfile> LoadAwsProfile(const S3Settings& settings, const S3Environment& env) {
  AwsProfile profile;
  profile.name = !settings.profile.empty() ? settings.profile : env.Get("AWS_PROFILE");
  bool explicit_profile = !profile.name.empty();
  if (!explicit_profile) profile.name = "default";

  bool explicit_credentials = true;
  profile.credentials_path = ExpandHome(settings.credentials_file, env);
  if (profile.credentials_path.empty()) profile.credentials_path = env.Get("AWS_SHARED_CREDENTIALS_FILE");
  if (profile.credentials_path.empty()) {
    explicit_credentials = false;
    if (!env.home.empty()) profile.credentials_path = env.home + "/.aws/credentials";
  }
  profile.config_path = env.Get("AWS_CONFIG_FILE");
  bool explicit_config = !profile.config_path.empty();
  if (!explicit_config && !env.home.empty()) profile.config_path = env.home + "/.aws/config";

  bool found = false;
  if (!profile.credentials_path.empty()) {
    Result<IniFile> file = ReadIni(profile.credentials_path, explicit_credentials);
    if (!file.ok()) return file.status();
    if (const IniFile::Section* section = file->Find(profile.name)) {
      profile.credentials = *section;
      found = true;
    }
  }
  if (!profile.config_path.empty()) {
    Result<IniFile> file = ReadIni(profile.config_path, explicit_config);
    if (!file.ok()) return file.status();
    const IniFile::Section* section = file->Find("profile " + profile.name);
    if (section == nullptr && profile.name == "default") section = file->Find("default");
    if (section != nullptr) {
      profile.config = *section;
      found = true;
    }
  }
  if (explicit_profile && !found) {
    return Status::NotFound(
        "AWS profile '" + profile.name + "' is in neither " +
        (profile.credentials_path.empty() ? "(no credentials file)" : profile.credentials_path) + " nor " +
        (profile.config_path.empty() ? "(no config file)" : profile.config_path));
  }
  return profile;
}

}  // namespace edgesync::objectstore
