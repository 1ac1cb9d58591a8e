// VersionVector: node id -> counter, the causal history of one object version.
//
// Comparison has four outcomes. Plain value type; needs external synchronization.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "base/status.h"

namespace edgesync {

enum class VectorOrder { kEqual, kDominates, kDominated, kConcurrent };

const char* VectorOrderName(VectorOrder order);

class VersionVector {
 public:
  VersionVector() = default;
  explicit VersionVector(std::map<std::string, uint64_t> counters);

  uint64_t Get(const std::string& node) const;
  void Set(const std::string& node, uint64_t counter);
  // Adds one to this node's counter.
  void Increment(const std::string& node);
  // Pointwise maximum.
  void MergeFrom(const VersionVector& other);

  // How *this relates to `other`: kDominates means *this has seen everything `other` has and more.
  VectorOrder Compare(const VersionVector& other) const;

  const std::map<std::string, uint64_t>& counters() const { return counters_; }
  bool empty() const { return counters_.empty(); }

  // Canonical text: "a:3,b:1" with node ids sorted; used in ids and logs.
  std::string ToString() const;
  static Result<VersionVector> Parse(const std::string& text);

  bool operator==(const VersionVector&) const = default;

 private:
  std::map<std::string, uint64_t> counters_;  // zero counters are never stored
};

}  // namespace edgesync
