// Small JSON state files beside the store (join tokens, runtime peers): read whole, replaced
// whole through a temporary file and a rename, so a crash leaves the old or the new file.
// Thread-safety: plain functions; callers serialize writes to one file.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace edgesync {

// The file's JSON object; an empty object when the file does not exist. Anything else that is
// not a JSON object is Corruption naming the file.
Result<nlohmann::json> ReadJsonFile(const std::filesystem::path& file);
// Writes `value` to `file` (mode 0600: these files may hold secrets' hashes).
Status ReplaceJsonFile(const std::filesystem::path& file, const nlohmann::json& value);

}  // namespace edgesync
