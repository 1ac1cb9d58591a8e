// ConflictPolicy and PolicyTable: which rule resolves concurrent versions of which keys.
//
// The table is replicated state, read from the `meta/policy` metadata document, never from
// node-local configuration, so two nodes cannot resolve the same conflict differently. Each
// field of the document maps a key glob (`model/helmet*`) or a kind (`model`) to a policy text:
// `merge`, `lww`, `best-metric:<name>` or `keep-both`. Plain values; thread-compatible.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace edgesync::conflict {

struct ConflictPolicy {
  enum class Kind { kMerge, kLww, kBestMetric, kKeepBoth };
  Kind kind = Kind::kKeepBoth;
  std::string metric;  // kBestMetric only

  static Result<ConflictPolicy> Parse(const std::string& text);
  std::string ToString() const;
  bool operator==(const ConflictPolicy&) const = default;
};

class PolicyTable {
 public:
  // The key of the replicated document holding the table.
  static constexpr const char* kDocumentKey = "meta/policy";

  // Defaults only: metadata `merge`, models and datasets `keep-both`.
  PolicyTable() = default;
  // From the live view of the policy document ({"model": "keep-both", "model/x*": "lww"}).
  // Unknown policy texts are errors naming the field.
  static Result<PolicyTable> FromDocumentView(const std::string& view_json);

  // The most specific rule: the longest matching glob, then the kind's entry, then the default.
  ConflictPolicy For(const std::string& key) const;

 private:
  std::vector<std::pair<std::string, ConflictPolicy>> rules_;  // glob -> policy
};

}  // namespace edgesync::conflict
