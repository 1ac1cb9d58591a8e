// ProgressBar: one redrawn stderr line for put/get/checkout of large objects (bytes, MB/s,
// ETA). Draws only when both stdout and stderr are terminals; otherwise every call is a no-op,
// so scripts and pipes see only the final output. Needs external synchronization.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace edgesync {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar();  // clears the line
  // `total` 0 means unknown: shows bytes and rate only.
  void Update(uint64_t done, uint64_t total);
  void Clear();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace edgesync
