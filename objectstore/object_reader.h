// ReadObject: reads one object (s3:// or http(s)://, through a RangedObject) from start to end
// into a sink, in order, with up to `parallel` ranged GETs of `part_size` bytes in flight.
// Memory is bounded: at most `parallel` parts are held at once (fetching, or waiting for the
// sink to take the ones before them). The object's version (ETag, or Last-Modified for plain
// HTTP) is pinned at the first answer and required of every range (If-Match, and compared
// with each answer), so an object replaced during the read fails with kAborted "changed
// during the read"; a connection dropped mid-range resumes from the last byte received.
//
// Thread safety: ReadObject may run on many threads at once. It calls `sink`, `progress` and
// `cancelled` only on the calling thread; the fetches run on threads of its own.
#pragma once

#include <cstdint>
#include <functional>

#include "base/status.h"
#include "objectstore/object_store.h"
#include "objectstore/ranged_object.h"

namespace edgesync::objectstore {

struct ReadOptions {
  uint64_t part_size = 16ull << 20;
  int parallel = 4;
  // Called as bytes reach the sink (bytes so far, object size).
  std::function<void(uint64_t bytes_done, uint64_t bytes_total)> progress;
  // Polled between deliveries and while waiting for a part; true stops the read with kAborted.
  // Fetches in flight stop at their next bytes (a stalled one at the low-speed limit).
  std::function<bool()> cancelled;
};

// REQUIRES: options.part_size > 0, options.parallel > 0.
Status ReadObject(RangedObject& object, const ByteSink& sink, const ReadOptions& options = {});

}  // namespace edgesync::objectstore
