#include "replication/tombstone_purge.h"

#include <algorithm>

namespace edgesync::replication {

Result<std::vector<std::string>> PurgeTombstones(Store& store, uint64_t max_offline_ms, uint64_t now_ms) {
  if (now_ms <= max_offline_ms) return std::vector<std::string>{};
  const uint64_t horizon_ms = now_ms - max_offline_ms;
  auto reads = store.PeerReads();
  if (!reads.ok()) return reads.status();
  uint64_t read_by_all = store.LastSeq();
  for (const auto& [peer, read] : *reads)
    if (read.at_ms >= horizon_ms) read_by_all = std::min(read_by_all, read.seq);
  return store.PurgeKeys(
      [&](const std::string&, uint64_t seq, const std::vector<VersionRecord>& heads) {
        if (seq > read_by_all) return false;
        return std::all_of(heads.begin(), heads.end(), [&](const VersionRecord& h) {
          return h.tombstone && HlcMillis(h.hlc) < horizon_ms;
        });
      },
      horizon_ms);
}

}  // namespace edgesync::replication
