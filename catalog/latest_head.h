// LatestLiveHead: which of a key's heads a plain read shows (the live head with the highest
// (HLC, author)), for code that sees heads in a change-log entry rather than via Store::Latest.
// Pure function; thread-safe.
#pragma once

#include <tuple>
#include <vector>

#include "store/version_record.h"

namespace edgesync {

// nullptr when every head is a tombstone.
inline const VersionRecord* LatestLiveHead(const std::vector<VersionRecord>& heads) {
  const VersionRecord* best = nullptr;
  for (const auto& h : heads) {
    if (h.tombstone) continue;
    if (!best || std::tie(h.hlc, h.author) > std::tie(best->hlc, best->author)) best = &h;
  }
  return best;
}

}  // namespace edgesync
