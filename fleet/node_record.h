// NodeRecord: what one node tells the fleet about itself, in its own replicated metadata
// document meta/nodes/<node id> (written by that node alone: replication/write_acl.h). Every
// node that replicates meta/ (cloud nodes, by default) reads all of them, so it sees nodes past
// its direct peers: edges behind a site gateway, what they hold, what they run, how stale the
// news is. Value type; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace edgesync {

inline constexpr char kNodeRecordPrefix[] = "meta/nodes/";
// Keys listed in a record's holdings at most (models first, then datasets); more are counted.
inline constexpr size_t kMaxRecordKeys = 1000;

struct NodeRecord {
  std::string node_id;
  std::map<std::string, std::string> labels;
  std::string software_version;
  // Model and dataset keys -> the live head version ids this node holds.
  std::map<std::string, std::vector<std::string>> holdings;
  uint64_t keys_not_listed = 0;  // beyond kMaxRecordKeys
  // Deployment name -> {"key", "active", "state"} (docs/deploy.md).
  nlohmann::json deployments = nlohmann::json::object();
  uint64_t store_bytes = 0;
  uint64_t disk_free_bytes = 0;
  uint64_t last_change_ms = 0;  // when its holdings or deployments last changed
  uint64_t updated_ms = 0;      // when the node wrote this record (its clock)

  // The document's fields, and back (unknown fields ignored; a record from a newer node reads).
  nlohmann::json ToFields() const;
  static Result<NodeRecord> FromFields(const std::string& node_id, const nlohmann::json& fields);
  // True when `key`'s heads here include `version_id`.
  bool Holds(const std::string& key, const std::string& version_id) const;
};

}  // namespace edgesync
