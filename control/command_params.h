// Reading a control request's params in handlers; every error names the parameter.
// Pure functions.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "store/object_key.h"
#include "base/status.h"

namespace edgesync {

Result<std::string> RequireString(const nlohmann::json& params, const char* name);
std::string OptionalString(const nlohmann::json& params, const char* name);
bool OptionalBool(const nlohmann::json& params, const char* name);
// An object of label -> value (absent: empty); anything else is InvalidArgument.
Result<std::map<std::string, std::string>> OptionalLabels(const nlohmann::json& params, const char* name);
// "key", validated as an ObjectKey.
Result<ObjectKey> RequireKey(const nlohmann::json& params);
// A path the CLI resolved to absolute; relative paths are refused (the daemon's working
// directory means nothing to the client).
Result<std::filesystem::path> RequireAbsolutePath(const nlohmann::json& params, const char* name);

}  // namespace edgesync
