// Values of the [storage] keys that bound what a node keeps (docs/config.md): retention
// (storage.keep_versions, storage.keep_for and the [[storage.retention]] per-glob overrides)
// and the disk quota (storage.max_bytes, storage.min_free), read as plain values since this
// library links neither store/ nor quota/; the daemon turns them into the store's
// RetentionPolicy and the DiskQuota's limits. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "base/status.h"

namespace edgesync {

// One [[storage.retention]] table: keys matching `glob` keep these instead of the defaults
// (a field left out takes the storage.* default).
struct RetentionOverride {
  std::string glob;
  std::optional<uint64_t> keep_versions;
  std::optional<uint64_t> keep_for_ms;  // 0: no age limit ("off")

  bool operator==(const RetentionOverride&) const = default;
};

inline constexpr uint64_t kMaxKeepVersions = 100'000;

// A key glob as subscriptions take them: 1-1024 bytes, no control characters, every '['
// closed by a ']'.
Status ValidateKeyGlob(std::string_view glob);
// "off" (no age limit: 0) or a duration ("30d").
Result<uint64_t> ParseKeepFor(std::string_view text);

// A size in bytes, or a percent of the filesystem holding the store; both 0: not set.
struct DiskSize {
  uint64_t bytes = 0;
  double percent = 0;  // (0, 100)

  bool operator==(const DiskSize&) const = default;
};
// "300MiB", "1073741824", "15%", "0" (not set). Percents are above 0 and below 100.
Result<DiskSize> ParseDiskSize(std::string_view text);

// Reads the array of tables at `node` ({glob, keep_versions, keep_for} each). InvalidArgument
// naming `source`, the line and the field.
Status ReadRetentionTables(const toml::node& node, std::string_view source, std::vector<RetentionOverride>* out);

}  // namespace edgesync
