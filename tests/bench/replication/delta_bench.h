// Delta benchmark of bench_replication: re-put a model with 1% of its 4 KiB blocks rewritten at
// random and measure what crosses the socket (through a ByteCountingProxy, TLS included) and
// how long the change takes to land, for edgesyncd and for `rsync -a` through its daemon.
#pragma once

#include <cstdint>
#include <filesystem>
#include <random>

namespace edgesync::testing {

// Medians over the runs that completed; -1 when none did.
struct DeltaFigures {
  double wire_bytes = -1;        // edgesyncd: both directions, on the socket
  double new_chunk_bytes = -1;   // bytes of content-defined chunks the new version adds
  double seconds = -1;           // put start on the sender -> version visible on the receiver
  double rsync_wire_bytes = -1;  // rsync: both directions, on the socket
  double rsync_seconds = -1;     // the `rsync -a` command of the changed file
  int runs_completed = 0;
};

// Each run on fresh stores and a fresh rsync daemon, with a `size_bytes` random model.
DeltaFigures MeasureDelta(const std::filesystem::path& work, uint64_t size_bytes, int runs,
                          std::mt19937_64& rng);

}  // namespace edgesync::testing
