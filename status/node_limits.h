// NodeLimits: what runs out on a node unless an operator acts: its certificate, the cluster CRL
// (peers refuse every link once it passes its nextUpdate) and the disk under its store. The
// status feed samples them with the node figures for /metrics, reading the files each time, so
// a renewed certificate or re-issued CRL shows without a restart.
// Thread-safety: SampleNodeLimits is a plain function (file and filesystem reads).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

namespace edgesync {

// Where the limits are read from; an empty path is not sampled.
struct NodeLimitSources {
  std::filesystem::path certificate_file;  // this node's certificate (PEM)
  std::filesystem::path crl_file;          // the CRL, when one is configured (PEM)
  std::filesystem::path store_dir;         // a directory on the store's filesystem
};

// Each figure is absent when its source is not configured or cannot be read.
struct NodeLimits {
  std::optional<int64_t> certificate_not_after_s;  // Unix seconds
  std::optional<int64_t> crl_next_update_s;        // Unix seconds
  std::optional<uint64_t> disk_free_bytes;         // available to the daemon's user
  std::optional<uint64_t> disk_size_bytes;
};

NodeLimits SampleNodeLimits(const NodeLimitSources& sources);

}  // namespace edgesync
