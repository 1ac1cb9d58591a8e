// Shared post-condition for the format fuzzers: whatever was parsed must serialise to JSON
// and read back equal. Aborts (a fuzzer finding) otherwise.
#pragma once

#include <cstdlib>

#include "catalog/formats/dataset_stats.h"

namespace edgesync::formats {

inline void CheckStatsRoundTrip(const DatasetStats& stats) {
  const std::string text = stats.ToJson().dump();  // throws (aborting the fuzzer) on invalid UTF-8
  auto back = DatasetStats::FromJson(nlohmann::json::parse(text));
  if (!back.ok() || !(*back == stats)) std::abort();
  if (stats.problems.size() > DatasetStats::kMaxProblems) std::abort();
}

}  // namespace edgesync::formats
