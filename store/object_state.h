// ObjectState: what the `objects` column family holds per key — its heads and its position in
// the change log. Internal to store/. Plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/version_record.h"

namespace edgesync {

struct ObjectState {
  std::vector<VersionRecord> heads;
  uint64_t seq = 0;            // change-log entry of the latest apply
  uint64_t logical_bytes = 0;  // file bytes of the winning head (0 when deleted)

  std::string Encode() const;
  static Result<ObjectState> Decode(std::string_view bytes);
};

// The head a plain read returns: highest HLC, ties broken by author. REQUIRES: !heads.empty()
const VersionRecord& WinningHead(const std::vector<VersionRecord>& heads);

}  // namespace edgesync
