#include "control/garbage_collection.h"

#include "base/wall_clock.h"
#include "replication/tombstone_purge.h"

namespace edgesync {

Result<CollectionResult> CollectGarbageNow(Store& store, uint64_t max_offline_ms) {
  CollectionResult result;
  auto purged = replication::PurgeTombstones(store, max_offline_ms, WallClockMs());
  if (!purged.ok()) return purged.status().WithContext("purging deleted keys");
  result.purged_keys = std::move(purged).value();
  auto dropped = store.EnforceRetention();
  if (!dropped.ok()) return dropped.status().WithContext("retention");
  result.versions_dropped = *dropped;
  auto gc = store.CollectGarbage();
  if (!gc.ok()) return gc.status();
  result.gc = *gc;
  return result;
}

nlohmann::json CollectionJson(const CollectionResult& result) {
  return {{"purged_keys", result.purged_keys.size()},
          {"versions_dropped", result.versions_dropped},
          {"chunks_scanned", result.gc.chunks_scanned},
          {"chunks_deleted", result.gc.chunks_deleted},
          {"bytes_deleted", result.gc.bytes_deleted},
          {"manifests_deleted", result.gc.manifests_deleted},
          {"packs_retired", result.gc.packs_retired},
          {"packs_rewritten", result.gc.packs_rewritten},
          {"orphan_packs_deleted", result.gc.orphan_packs_deleted}};
}

}  // namespace edgesync
