// Small JSON files the checkout room keeps beside the store (checkout pins, deployments):
// replaced whole and atomically, so a crash leaves the old file or the new one, never half.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace edgesync {

// Writes `value` to a temporary file beside `path`, fsyncs it, renames it over `path` and
// fsyncs the directory.
Status ReplaceJsonFile(const std::filesystem::path& path, const nlohmann::json& value);

// NotFound when `path` does not exist; Corruption when it is not JSON.
Result<nlohmann::json> ReadJsonFile(const std::filesystem::path& path);
// As ReadJsonFile, for a file holding one object: a missing file reads as an empty object,
// anything but an object is Corruption naming the file.
Result<nlohmann::json> ReadJsonObjectFile(const std::filesystem::path& path);

}  // namespace edgesync
