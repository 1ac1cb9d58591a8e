// Node identity at startup: who the node certificate says this node is, and opening the store
// bound to that node id (the node id in version vectors must be the one peers authenticate).
// Pure functions over files; call from the one thread that starts the daemon.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "store/store.h"
#include "syncd/daemon_config.h"

namespace edgesync {

struct NodeIdentity {
  std::string node_id;
  std::string role;
  std::string cluster_id;
};

// Reads the CA, node certificate and key (and the CRL when configured or present), checks the
// certificate against the CA and CRL and `configured_cluster_id` (when not empty). Every
// failure is an InvalidArgument with one line naming the file and the reason.
Result<NodeIdentity> LoadNodeIdentity(const ClusterFiles& files,
                                      const std::string& configured_cluster_id);

// Opens the store so that its node id equals `node_id` (empty: keep the store's own id). A
// store without versions (fresh, or never written) takes `node_id`; a store that already wrote
// versions under another id is refused with kFailedPrecondition (restarting cannot help).
Result<std::unique_ptr<Store>> OpenStoreBoundTo(StoreOptions options, const std::string& node_id);

}  // namespace edgesync
