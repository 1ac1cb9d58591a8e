// PartitionFixture: two TLS nodes (`a` listens, `b` dials it) that can be partitioned and
// healed. Partition() restarts `b` without its peer, so the link cannot form; Heal() restarts
// it dialing `a` again and waits until both see the link. Helpers read a key's heads and
// version through the CLI's JSON output.
#pragma once

#include <string>
#include <vector>

#include "tests/support/cluster_fixture.h"

namespace edgesync::testing {

class PartitionFixture : public ClusterFixture {
 protected:
  // CA, both nodes, started and linked.
  void StartLinked();
  void Partition();
  void Heal();

  // `show <key> --json` head version ids (sorted); empty when missing.
  std::vector<std::string> Heads(const TestNode& node, const std::string& key);
  // True once `key` has exactly one head on both nodes, the same one; *version gets its id.
  bool ConvergedOnOneHead(const std::string& key, std::string* version,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

  // Puts a one-file model with metric mAP = `map` and content `weights`.
  void PutModel(const TestNode& node, const std::string& key, double map,
                const std::string& weights);
  // Puts a one-file csv dataset whose single row is `row`.
  void PutDataset(const TestNode& node, const std::string& key, const std::string& row);
  // The content of the file `name` in the latest version of `key` on `node`.
  std::string ReadLatest(const TestNode& node, const std::string& key, const std::string& name);

  TestNode* a_ = nullptr;
  TestNode* b_ = nullptr;

 private:
  int dirs_ = 0;
};

}  // namespace edgesync::testing
