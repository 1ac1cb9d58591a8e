// Chunker: content-defined chunking with a FastCDC-style gear hash and normalized chunking.
//
// Boundaries depend only on the bytes, so an insertion early in a file shifts data without
// changing the chunks after the next boundary. Stateless after construction; one Chunker may be
// used from several threads at once.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/status.h"
#include "store/chunker_params.h"

namespace edgesync {

class Chunker {
 public:
  // REQUIRES: params.Validate().ok()
  explicit Chunker(const ChunkerParams& params);

  // Returns the length (> 0) of the chunk that starts at `data`. The caller passes at least
  // max_size bytes, or everything that is left of the input; the cut is then final.
  // REQUIRES: size > 0
  size_t NextCut(const uint8_t* data, size_t size) const;

  const ChunkerParams& params() const { return params_; }

 private:
  static size_t Scan(const uint8_t* data, size_t i, size_t end, uint64_t mask, uint64_t& fp);

  ChunkerParams params_;
  uint64_t mask_small_;  // stricter mask used before the average size (normalization)
  uint64_t mask_large_;  // looser mask used after it
};

}  // namespace edgesync
