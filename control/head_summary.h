// HeadSummary: what one head of a conflicted key changed, for `edgesync conflicts`.
//
// Each head is compared with the key's common ancestor (the newest retained version that every
// head has seen); when history holds none (both sides created the key), with another head.
// Reads the store only; thread-safe when the store is.
#pragma once

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace edgesync {

// `heads` are the key's concurrent heads (at least two). Returns
// {"ancestor": id or null, "heads": [VersionJson + {"against","changes","metrics"}]}.
Result<nlohmann::json> SummarizeHeads(Store& store, const ObjectKey& key,
                                      const std::vector<VersionInfo>& heads);

}  // namespace edgesync
