#include "objectstore/s3_settings.h"

#include <cstdlib>
#include <cstring>

extern char** environ;

namespace edgesync::objectstore {

S3Environment S3Environment::FromProcess() {
  S3Environment env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "AWS_", 4) != 0) continue;
    const char* equals = std::strchr(*entry, '=');
    if (equals == nullptr) continue;
    env.vars[std::string(*entry, static_cast<size_t>(equals - *entry))] = equals + 1;
  }
  if (const char* home = std::getenv("HOME")) env.home = home;
  return env;
}

std::string S3Environment::Get(const std::string& name) const {
  auto it = vars.find(name);
  return it == vars.end() ? std::string() : it->second;
}

}  // namespace edgesync::objectstore
