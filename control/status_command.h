// Control-socket method `status`: who this node is, what it serves and how full its store is.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "store/store.h"
#include "control/command_dispatcher.h"
#include "control/node_settings.h"

namespace edgesync {

// What status reports beyond the store and the reloadable settings; fixed after startup.
struct NodeDescription {
  std::string node_name;
  std::string data_dir;
  std::string control_socket;
  std::string peer_listen;  // "off" or the bound address
  std::string http_status;  // configured and reserved; served by the status server
  std::chrono::steady_clock::time_point started;
  // Live: versions this node wants and no connected peer can serve (a JSON array); unset: none.
  std::function<nlohmann::json()> unserved;
  // Live: this node's clock minus its connected peers' (ms); unset or nullopt: unknown.
  std::function<std::optional<int64_t>()> clock_skew_ms;
  // Live: connected peers and their software versions, [{"node_id", "version"}]; unset: none.
  std::function<nlohmann::json()> peer_versions;
  // Live: this node's certificate and CRL dates and expiry warnings (syncd/credentials/);
  // unset: null (no TLS identity).
  std::function<nlohmann::json()> credentials;
  // Live: the disk quota's usage against its limit (quota/disk_quota.h); unset: null (no quota).
  std::function<nlohmann::json()> disk_quota;
};

// REQUIRES: everything referenced outlives the dispatcher's use. The method list is read from
// `dispatcher` when the command runs, so register this first or last, it lists all.
void RegisterStatusCommand(CommandDispatcher& dispatcher, Store& store,
                           const NodeSettings& settings, NodeDescription description);

}  // namespace edgesync
