// ExpectedKeys: what a crash campaign knows about each key it wrote. A key has a set of
// acceptable states (a source directory, or "deleted"): one after an operation that returned,
// two when the daemon was killed while the operation ran (it may or may not have committed).
// After the nodes converge, Check() compares every node against it and collapses each key to
// the state the nodes agreed on. Needs external synchronization.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/cluster_fixture.h"

namespace edgesync::testing {

class ExpectedKeys {
 public:
  using State = std::optional<std::filesystem::path>;  // nullopt: deleted

  // Records the outcome of writing `state` to `key`: `certain` when the command returned ok.
  void Record(const std::string& key, State state, bool certain);
  // Keys whose only acceptable state is a source directory.
  std::vector<std::string> LiveKeys() const;
  size_t size() const { return keys_.size(); }
  // True while some key may still be in the state `source`.
  bool Refers(const std::filesystem::path& source) const;

  // Checks `nodes` (which must agree): every expected key readable and byte-identical to an
  // acceptable source, or absent when deleted is acceptable; every listed key readable and
  // expected (no resurrected delete, no half-present version). Appends problems to *problems.
  using CliFn = std::function<ProcessResult(const TestNode&, const std::vector<std::string>&)>;
  void Check(const CliFn& cli, const std::vector<TestNode*>& nodes,
             const std::filesystem::path& scratch, std::vector<std::string>* problems);

 private:
  std::map<std::string, std::vector<State>> keys_;
};

}  // namespace edgesync::testing
