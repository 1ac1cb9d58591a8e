// PartLocator: explains a get or checkout that fails because a model part is not placed on
// this node. Selective sync (docs/replication.md) fetches only the parts whose placement labels
// all match the node's labels, so the other parts' chunks are missing here by design; instead
// of "chunk ... is missing" the caller learns which part, the labels it needs, this node's
// labels, and the peers known to hold the version (Replicator::Holding), those whose labels
// fit the part first: they hold its bytes, as does the node that authored the version.
//
// Safe for concurrent access when the functions it is given are (the daemon's read
// NodeSettings and the Replicator's fleet view, both locked).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "replication/replicator.h"
#include "store/store.h"

namespace edgesync {

class PartLocator {
 public:
  using Labels = std::map<std::string, std::string>;
  using HoldersFn = std::function<std::vector<replication::PeerHolding>(
      const std::string& key, const std::string& version_id)>;

  // `holders` may return an empty list (replication off, or nothing heard yet).
  PartLocator(Store& store, std::function<Labels()> node_labels, HoldersFn holders);

  // `failure` came from writing the files of `version` whose paths start with `prefix`. When it
  // is a NotFound and a selected part that is not placed here lacks chunks, returns a NotFound
  // that says so; otherwise returns `failure` unchanged.
  Status Explain(const VersionInfo& version, std::string_view prefix, Status failure) const;

 private:
  // True when every chunk of the files under `part_prefix` is stored here.
  bool PartPresent(const Manifest& manifest, const std::string& part_prefix) const;
  std::string PeersHolding(const VersionInfo& version, const Labels& placement) const;

  Store& store_;
  std::function<Labels()> node_labels_;
  HoldersFn holders_;
};

}  // namespace edgesync
