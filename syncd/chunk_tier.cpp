#include "syncd/chunk_tier.h"

#include "remote/s3_tier_bucket.h"
#include "store/store.h"

namespace edgesync {

objectstore::S3Settings S3SettingsOf(const DaemonConfig& config) {
  return {config.s3.endpoint, config.s3.region,
          config.s3.addressing.empty() ? std::nullopt : std::optional<bool>(config.s3.addressing == "path"),
          config.s3.credentials_file.string(), config.s3.profile};
}

Result<TierOptions> ChunkTierOptions(const DaemonConfig& config, const std::string& restore_from) {
  TierOptions tier;
  const std::string& url = config.chunk_tier.empty() ? restore_from : config.chunk_tier;
  if (url.empty()) return tier;
  const objectstore::S3Settings settings = S3SettingsOf(config);
  auto bucket = S3TierBucket::Create(url, settings, objectstore::S3Environment::FromProcess());
  if (!bucket.ok()) return bucket.status().WithContext("storage.chunk_tier");
  if (!restore_from.empty() && !config.chunk_tier.empty()) {
    Result<std::string> restore = S3TierBucket::RootOf(restore_from);
    if (!restore.ok()) return restore.status().WithContext("--restore-from");
    if (*restore != (*bucket)->Describe())
      return Status::InvalidArgument("--restore-from " + *restore + " is not the configured chunk tier " +
                                     (*bucket)->Describe());
  }
  tier.bucket = std::move(bucket).value();
  tier.cache_bytes = config.chunk_cache_bytes;
  tier.pack_bytes = config.pack_bytes;
  return tier;
}

Result<bool> RestoreStoreIfAsked(const TierOptions& tier, const std::string& restore_from,
                                 const std::filesystem::path& store_path) {
  if (restore_from.empty()) return false;
  EDGESYNC_RETURN_IF_ERROR(Store::RestoreFromTier(*tier.bucket, store_path));
  return true;
}

}  // namespace edgesync
