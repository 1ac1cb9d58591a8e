// Resolve: the resolution of a key's concurrent heads, as a pure function of those heads.
//
// Every node that resolves the same heads under the same policy computes the identical version
// record and manifest bytes: the vector is the join of the heads' vectors (no increment), the
// HLC their maximum, the author a fixed marker, and the manifest canonical. Resolved versions
// written on different nodes are therefore equal, not new conflicts. Thread-safe (pure).
#pragma once

#include <optional>
#include <vector>

#include "conflict/policy.h"
#include "store/manifest.h"
#include "store/version_record.h"

namespace edgesync::conflict {

inline constexpr const char* kResolvedAuthor = "~resolved";

struct Head {
  std::string id;  // VersionRecord::Id of its key
  VersionRecord record;
  Manifest manifest;  // empty for tombstones
};

struct Resolution {
  VersionRecord record;
  Manifest manifest;
  std::string winner;  // version id whose content won, or "merge"
};

// The last-writer-wins order: higher HLC, then greater author. REQUIRES: !heads.empty()
const Head& LwwWinner(const std::vector<Head>& heads);

// std::nullopt for keep-both or fewer than two heads; an error when a head's spec does not
// parse for a policy that needs it.
Result<std::optional<Resolution>> Resolve(const ConflictPolicy& policy, const std::vector<Head>& heads);

}  // namespace edgesync::conflict
