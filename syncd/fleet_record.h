// The daemon's side of the fleet view (fleet/): what goes into this node's record about its
// deployments, and a record as the status feed shows it.
#pragma once

#include <nlohmann/json.hpp>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "checkout/deployment_manager.h"
#include "fleet/fleet_view.h"
#include "status/status_feed.h"

namespace edgesync {

// The deployments as this node's fleet record shows them (name -> key, active version, state),
// kept from the deployment manager's reports, so the record's thread never calls into the
// manager and the two can stop in either order. Thread-safe.
class DeploymentDigest {
 public:
  void Update(const DeploymentView& view) EXCLUDES(mu_);
  nlohmann::json Json() const EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  nlohmann::json by_name_ GUARDED_BY(mu_) = nlohmann::json::object();
};

FleetNodeSample SampleOf(const FleetNode& node);

}  // namespace edgesync
