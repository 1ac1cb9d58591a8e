// RetentionHolds: tells the store which versions deployments and release channels need, so
// retention (store/retention.h) never drops them: each deployment's target, the version its
// directory shows and the one staged for a scheduled switch, and every version a rule of
// meta/releases names (in force, replaced by a scheduled release, or scheduled), for any
// node's labels, since this node may serve it to others. Checked-out versions are pinned in
// the store already (checkout_pins.h).
//
// The holds live in the store's memory: the owner calls Refresh at startup and whenever a
// deployment changes state or meta/releases changes. Safe for concurrent access when the
// functions it is given are.
#pragma once

#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "checkout/deployment_manager.h"
#include "store/store.h"

namespace edgesync {

class RetentionHolds {
 public:
  using DeploymentsFn = std::function<std::vector<DeploymentView>()>;
  // The fields of meta/releases (NotFound when there is no such document yet).
  using ReleasesFn = std::function<Result<nlohmann::json>()>;

  RetentionHolds(Store& store, DeploymentsFn deployments, ReleasesFn releases);

  // Computes the holds and hands them to the store. Must not run on a committing thread.
  Status Refresh();

 private:
  Store& store_;
  DeploymentsFn deployments_;
  ReleasesFn releases_;
};

}  // namespace edgesync
