// ChunkerParams: the sizes content-defined chunking aims for, and the rule they must satisfy.
//
// Header-only on purpose: the daemon's configuration (syncd/daemon_config) checks them when it
// reads a config file, and the CLI reads config files too without linking the store. Plain
// value; thread-compatible.
#pragma once

#include <bit>
#include <cstddef>

#include "base/status.h"

namespace edgesync {

struct ChunkerParams {
  size_t min_size = 16 * 1024;
  size_t avg_size = 64 * 1024;
  size_t max_size = 256 * 1024;

  // min <= avg <= max, avg a power of two, sizes within [64 B, 64 MiB].
  Status Validate() const {
    if (min_size < 64 || max_size > (64u << 20))
      return Status::InvalidArgument("chunk sizes must lie within 64 B .. 64 MiB");
    if (!(min_size <= avg_size && avg_size <= max_size))
      return Status::InvalidArgument("chunk sizes must satisfy min <= avg <= max");
    if (!std::has_single_bit(avg_size))
      return Status::InvalidArgument("average chunk size must be a power of two");
    return Status::Ok();
  }
};

}  // namespace edgesync
