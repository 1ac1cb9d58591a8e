// Fills a store directory, before a daemon opens it, with many metadata documents and small
// models, the way a long-lived fleet store looks. Used by the scale bench and the
// reconnect-bytes test. Not thread-safe: run it before any daemon uses the directory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "base/status.h"

namespace edgesync::testing {

struct StorePopulation {
  size_t documents = 0;  // meta/doc/<i>: a few fields each
  size_t models = 0;     // model/site-<i % 20>/m<i>: one 4 KiB random file and a spec
  uint64_t seed = 1;
};

// Opens `<data_dir>/store` bound to `node_id` (as edgesyncd does) and writes `population`.
// *seconds (optional) gets the time spent writing.
Status PopulateStore(const std::filesystem::path& data_dir, const std::string& node_id,
                     const StorePopulation& population, double* seconds = nullptr);

}  // namespace edgesync::testing
