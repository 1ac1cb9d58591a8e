// StatusFeed: what the daemon's status clients see. It keeps the state a snapshot needs (node
// figures, peers, transfers, recent versions, open conflicts, fleet view, catalog) and publishes
// each change of it as a JSON event (docs/status-protocol.md) through a StatusHub; it also keeps
// the counters /metrics reports.
//
// Inputs: the store's change listener (versions applied, quick: runs on committing threads),
// replication's status calls (sampled by the feed's own thread, which also does every blocking
// read: store stats, heads, specs, pending intents, the files and disk of node_limits.h), and
// the daemon's reports of refused links, corrupt data, HTTP auth failures and GC runs. Progress
// is sampled every `tick`, which bounds transfer events to a few per second per transfer however
// fast chunks arrive.
// Thread-safe. Create with Create(); Start() once; Stop() (or destruction) joins the thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "conflict/conflict_monitor.h"
#include "limits/bandwidth_limiter.h"
#include "replication/replicator.h"
#include "store/store.h"
#include "status/node_limits.h"
#include "status/rate_window.h"
#include "status/status_hub.h"
#include "status/transfer_tracker.h"

namespace edgesync {

// A peer link refused at the handshake (wrong cluster, revoked or expired certificate, ...).
struct RefusedLink {
  std::string address;
  std::string reason;
  uint64_t at_ms = 0;
  uint64_t count = 1;  // consecutive refusals of this address for this reason
};

// One deployment as the metrics show it (checkout/deployment.h has the whole of it; the status
// room does not depend on checkout/, the daemon maps one to the other).
struct DeploymentSample {
  std::string name;
  std::string key;
  std::string target;  // the version it should serve
  std::string active;  // the version in service ("" when none yet)
  std::string state;   // waiting, switching, checking, healthy, rolled_back, failed
  std::string last_error;
  uint64_t switches = 0;
  uint64_t rollbacks = 0;
  uint64_t updated_ms = 0;
};

// A node as its fleet record describes it (fleet/node_record.h; the status room does not depend
// on fleet/, the daemon maps one to the other).
struct FleetNodeSample {
  std::string node_id;
  std::map<std::string, std::string> labels;
  std::string software_version;
  uint64_t age_ms = 0;
  bool stale = false;
  std::map<std::string, std::vector<std::string>> holdings;  // key -> head version ids
  size_t deployments = 0;
  size_t deployments_failing = 0;  // failed or rolled back
};

// The disk quota's figures (quota/disk_quota.h; the status room does not depend on quota/, the
// daemon maps one to the other).
struct DiskQuotaSample {
  uint64_t used_bytes = 0;      // stored chunk bytes
  uint64_t reserved_bytes = 0;  // admitted writes not committed yet
  uint64_t limit_bytes = 0;     // in force now
  uint64_t evicted_versions = 0;
  uint64_t evictions = 0;  // since start
  uint64_t refusals = 0;   // since start
  bool paused = false;     // incoming replication waits for room
};

struct StatusFeedOptions {
  // Recently refused links, newest first; sampled with the peers. Optional.
  std::function<std::vector<RefusedLink>()> refusals;
  // This node's deployments, read when /metrics is rendered and every tick (a change is a
  // `deployment` event). Optional.
  std::function<std::vector<DeploymentSample>()> deployments;
  // Every node known by its fleet record (this one included), read every fleet_interval for
  // the `nodes` event and the fleet gauges. Optional.
  std::function<std::vector<FleetNodeSample>()> fleet_nodes;
  // The disk quota, sampled with the node figures; nullopt or unset: no quota configured.
  std::function<std::optional<DiskQuotaSample>()> disk_quota;
  std::string node_name;
  // Current node labels (they change on reload).
  std::function<std::map<std::string, std::string>()> labels;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  // Certificate, CRL and store disk, sampled with the node figures for /metrics.
  NodeLimitSources limits;
  // The bandwidth limits in force, read when /metrics is rendered. Optional.
  std::shared_ptr<limits::BandwidthLimiter> bandwidth;
  std::chrono::milliseconds tick{250};
  std::chrono::milliseconds peer_interval{1000};
  // Peer rates are measured over this much of the recent past: an idle link reads 0 after it.
  std::chrono::milliseconds rate_window{3000};
  std::chrono::milliseconds node_interval{2000};
  std::chrono::milliseconds fleet_interval{5000};
  size_t recent_versions = 50;
  size_t max_catalog_items = 1000;  // per kind
  size_t max_fleet_keys = 500;
};

class StatusFeed : public std::enable_shared_from_this<StatusFeed> {
 public:
  // `conflicts` may be null (not wired). REQUIRES: `store`, `conflicts` and `hub` outlive the
  // feed's thread (Stop() before destroying them).
  static std::shared_ptr<StatusFeed> Create(Store& store, conflict::ConflictMonitor* conflicts,
                                            StatusHub& hub, StatusFeedOptions options);
  ~StatusFeed();

  // Registers the store listener and starts the sampling thread. `replicator` may be null (no
  // peers, transfers or fleet); REQUIRES: it outlives the thread.
  void Start(replication::Replicator* replicator);
  void Stop();

  // The `snapshot` message for a client joining now.
  std::string Snapshot();
  // Prometheus text of the current counters and the last sampled figures.
  std::string MetricsText();

  // Reports from the daemon.
  void OnCorruptData(const std::string& peer, const std::string& message);
  void OnHttpAuthFailure(const std::string& client);
  // A token join refused (syncd/join/): counted as an auth failure with source "join".
  void OnJoinRefused();
  // Read rules withheld `count` items of `kind` ("changes", "manifest", "chunk") from a peer.
  void OnReadRefused(const std::string& kind, uint64_t count);
  void OnGarbageCollected(const GcStats& stats);
  void SetStatusClients(size_t clients) { status_clients_ = clients; }

  static constexpr std::array<double, 10> kDurationBounds = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};

 private:
  StatusFeed(Store& store, conflict::ConflictMonitor* conflicts, StatusHub& hub,
             StatusFeedOptions options);

  struct PeerSample {
    explicit PeerSample(std::chrono::milliseconds window) : in_rate(window), out_rate(window) {}
    nlohmann::json event;  // last published, with ts and a connected peer's last_seen_ms kept current
    uint64_t bytes_in = 0, bytes_out = 0;
    RateWindow in_rate, out_rate;
  };

  void OnChange(const Change& change);
  void Run();
  void LoadInitialState();
  void SampleTransfers();
  // Without figures, publishes only peers that appeared or changed state.
  void SamplePeers(bool with_figures);
  void SampleRefusals();
  // Publishes each deployment whose sample changed, and those gone (state "removed").
  void SampleDeployments();
  // The events for samples that differ from deployments_ (updated to match).
  void DeploymentEvents(const std::vector<DeploymentSample>& samples, std::vector<std::string>* events)
      REQUIRES(mu_);
  void SampleNode();
  // Reads the fleet records and publishes a `nodes` event when they changed (fleet_nodes.cpp).
  void SampleFleetNodes();
  void RefreshKeys(const std::set<std::string>& keys);
  void RefreshFleet(const std::string& key, std::vector<std::string>* events);
  // Reads the catalog item of a model or dataset key; null when deleted or not such a kind.
  nlohmann::json CatalogItem(const std::string& key);
  nlohmann::json NodeEvent(uint64_t now_ms) const REQUIRES(mu_);
  void PublishError(const std::string& category, const std::string& message, const std::string& peer);

  Store& store_;
  replication::Replicator* replicator_ = nullptr;  // set by Start(), before the thread runs
  conflict::ConflictMonitor* conflicts_;
  StatusHub& hub_;
  const StatusFeedOptions options_;
  std::atomic<size_t> status_clients_{0};

  Mutex mu_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::set<std::string> pending_keys_ GUARDED_BY(mu_);
  std::map<std::string, std::vector<std::string>> heads_ GUARDED_BY(mu_);  // key -> head ids
  std::deque<nlohmann::json> versions_ GUARDED_BY(mu_);                    // newest first
  std::map<std::string, nlohmann::json> open_conflicts_ GUARDED_BY(mu_);
  std::map<std::string, nlohmann::json> fleet_ GUARDED_BY(mu_);  // key -> holders
  std::map<std::string, nlohmann::json> deployments_ GUARDED_BY(mu_);  // name -> last event
  nlohmann::json fleet_nodes_ GUARDED_BY(mu_) = nlohmann::json::array();  // the last `nodes` list
  size_t fleet_nodes_stale_ GUARDED_BY(mu_) = 0;
  std::map<std::string, nlohmann::json> models_ GUARDED_BY(mu_), datasets_ GUARDED_BY(mu_);
  std::map<std::string, PeerSample> peers_ GUARDED_BY(mu_);
  TransferTracker tracker_ GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, RefusedLink> refusals_seen_ GUARDED_BY(mu_);
  StoreStats stats_ GUARDED_BY(mu_);  // last sample
  bool have_stats_ GUARDED_BY(mu_) = false;
  NodeLimits limits_ GUARDED_BY(mu_);  // last sample
  std::optional<DiskQuotaSample> quota_ GUARDED_BY(mu_);  // last sample
  // Replication's versions accepted and not applied, and of those the ones no connected peer
  // can serve (last sample; absent without a replicator or when the store read failed).
  std::optional<size_t> versions_pending_ GUARDED_BY(mu_), versions_unserved_ GUARDED_BY(mu_);
  // Counters for /metrics.
  std::map<std::pair<std::string, std::string>, uint64_t> versions_applied_ GUARDED_BY(mu_);  // (kind, origin)
  uint64_t conflicts_opened_ GUARDED_BY(mu_) = 0, conflicts_resolved_ GUARDED_BY(mu_) = 0;
  uint64_t corrupt_data_ GUARDED_BY(mu_) = 0, peer_auth_failures_ GUARDED_BY(mu_) = 0,
           http_auth_failures_ GUARDED_BY(mu_) = 0, join_auth_failures_ GUARDED_BY(mu_) = 0;
  std::map<std::string, uint64_t> read_refusals_ GUARDED_BY(mu_){{"changes", 0}, {"manifest", 0}, {"chunk", 0}};
  uint64_t gc_runs_ GUARDED_BY(mu_) = 0, gc_bytes_ GUARDED_BY(mu_) = 0;
  std::array<uint64_t, kDurationBounds.size()> duration_buckets_ GUARDED_BY(mu_){};
  uint64_t duration_count_ GUARDED_BY(mu_) = 0;
  double duration_sum_ GUARDED_BY(mu_) = 0;

  std::thread thread_;
};

}  // namespace edgesync
