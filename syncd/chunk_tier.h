// The daemon's side of the S3 chunk tier: the store options for `storage.chunk_tier`, and
// `--restore-from`, which rebuilds an empty store from the tier before it is opened.
#pragma once

#include <string>

#include "base/status.h"
#include "objectstore/s3_settings.h"
#include "store/tier_bucket.h"
#include "syncd/daemon_config.h"

namespace edgesync {

// The [s3] section as the object-storage client takes it.
objectstore::S3Settings S3SettingsOf(const DaemonConfig& config);

// The tier the store opens with: none when `storage.chunk_tier` and `restore_from` are empty.
// `restore_from` must name the configured tier, or be the tier itself when none is configured.
Result<TierOptions> ChunkTierOptions(const DaemonConfig& config, const std::string& restore_from);

// With `restore_from` set, writes the tier's newest metadata checkpoint into `store_path`,
// which must be missing or empty. Returns whether it restored.
Result<bool> RestoreStoreIfAsked(const TierOptions& tier, const std::string& restore_from,
                                 const std::filesystem::path& store_path);

}  // namespace edgesync
