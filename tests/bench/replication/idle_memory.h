// Idle memory of a daemon holding many objects: the `idle_rss_mb` figure of bench_replication.
#pragma once

#include <cstddef>
#include <filesystem>

namespace edgesync::testing {

struct IdleMemory {
  double sender_mib = -1;    // VmRSS of the node the objects were put on
  double receiver_mib = -1;  // VmRSS of the node they replicated to
  double replicate_s = -1;   // last put returned -> every object visible on the receiver
};

// Puts `objects` small objects (a few KiB each; models, datasets and metadata documents) on
// node A of a fresh two-node cluster, waits until node B holds them all, lets both settle for
// `settle_s` seconds and reads their resident memory. Fields stay -1 on failure.
IdleMemory MeasureIdleMemory(const std::filesystem::path& work, size_t objects, int settle_s);

}  // namespace edgesync::testing
