#include "checkout/retention_holds.h"

#include <map>
#include <set>
#include <string>

#include "checkout/release_rules.h"

namespace edgesync {

RetentionHolds::RetentionHolds(Store& store, DeploymentsFn deployments, ReleasesFn releases)
    : store_(store), deployments_(std::move(deployments)), releases_(std::move(releases)) {}

Status RetentionHolds::Refresh() {
  std::map<std::string, std::set<std::string>> holds;
  Result<nlohmann::json> releases = releases_();
  if (releases.ok()) holds = ReleasedVersions(*releases);
  else if (!releases.status().IsNotFound()) return releases.status().WithContext(kReleasesDocument);
  for (const DeploymentView& d : deployments_()) {
    for (const std::string* id : {&d.state.target, &d.state.active, &d.state.next})
      if (!id->empty()) holds[d.spec.key].insert(*id);
  }
  store_.SetRetentionHolds(std::move(holds));
  return Status::Ok();
}

}  // namespace edgesync
