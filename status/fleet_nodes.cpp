// StatusFeed::SampleFleetNodes: the nodes known by their fleet records, for the dashboard's
// fleet page (a `nodes` event when anything but the ages changed) and the fleet gauges.
#include "base/wall_clock.h"
#include "status/feed_message.h"
#include "status/status_feed.h"

namespace edgesync {
namespace {

using nlohmann::json;

// A sample without its age, to tell news from a clock that moved.
json Comparable(const FleetNodeSample& n) {
  return {n.node_id, n.labels, n.software_version, n.stale, n.holdings, n.deployments, n.deployments_failing};
}

}  // namespace

void StatusFeed::SampleFleetNodes() {
  if (!options_.fleet_nodes) return;
  const std::vector<FleetNodeSample> samples = options_.fleet_nodes();
  json nodes = json::array(), comparable = json::array();
  size_t stale = 0;
  for (const FleetNodeSample& n : samples) {
    stale += n.stale ? 1 : 0;
    comparable.push_back(Comparable(n));
    nodes.push_back({{"node_id", n.node_id},
                     {"labels", n.labels},
                     {"software_version", n.software_version},
                     {"age_ms", n.age_ms},
                     {"stale", n.stale},
                     {"holdings", n.holdings},
                     {"deployments", n.deployments},
                     {"deployments_failing", n.deployments_failing}});
  }
  std::string event;
  {
    MutexLock lock(mu_);
    json previous = json::array();
    for (const json& n : fleet_nodes_) previous.push_back(n.value("comparable", json()));
    fleet_nodes_stale_ = stale;
    json kept = json::array();
    for (size_t i = 0; i < nodes.size(); ++i) {
      json n = nodes[i];
      n["comparable"] = comparable[i];
      kept.push_back(std::move(n));
    }
    const bool changed = previous != comparable;
    fleet_nodes_ = std::move(kept);
    if (!changed) return;
    json e = FeedMessage("nodes", WallClockMs());
    e["nodes"] = nodes;
    event = e.dump();
  }
  hub_.Publish(std::move(event));
}

}  // namespace edgesync
