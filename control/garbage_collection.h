// One garbage collection as `edgesync gc` and the daemon's timer run it: deleted keys whose
// tombstones every recent peer has read and that are older than sync.max_offline are purged
// first (replication/tombstone_purge.h), then versions retention no longer keeps (they aged out
// of storage.keep_for, store/retention.h), then chunks and manifests nothing uses are deleted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace edgesync {

struct CollectionResult {
  std::vector<std::string> purged_keys;
  uint64_t versions_dropped = 0;  // by retention
  GcStats gc;
};

Result<CollectionResult> CollectGarbageNow(Store& store, uint64_t max_offline_ms);

// {"purged_keys":N,"versions_dropped":N,"chunks_scanned":...,"chunks_deleted":...,"bytes_deleted":...,"manifests_deleted":...}
nlohmann::json CollectionJson(const CollectionResult& result);

}  // namespace edgesync
