// StatusFeed::MetricsText: the /metrics page, from the feed's counters and last samples.
#include "base/build_info.h"
#include "status/prometheus_text.h"
#include "status/status_feed.h"

namespace edgesync {

std::string StatusFeed::MetricsText() {
  PrometheusText out;
  out.Gauge("edgesync_build_info", "Always 1: the version and git commit this daemon was built from.", 1,
            {{"version", std::string(BuildVersion())}, {"commit", std::string(BuildCommit())}});
  if (options_.bandwidth) {
    const limits::LimitsInForce now = options_.bandwidth->Current().node;
    for (auto [direction, rate] : {std::pair{"send", now.send}, std::pair{"recv", now.recv}})
      out.Gauge("edgesync_bandwidth_limit_bytes_per_second",
                "Node-wide bandwidth limit in force on the bulk lane (0: unlimited).",
                static_cast<double>(rate.bytes_per_second), {{"direction", direction}});
    out.Gauge("edgesync_bandwidth_schedule_window_open", "1 while a network.rate_schedule window is in force.",
              now.window < 0 ? 0 : 1);
  }
  // Read before the feed's lock: the provider takes the deployment manager's own.
  const std::vector<DeploymentSample> deployments =
      options_.deployments ? options_.deployments() : std::vector<DeploymentSample>();
  for (const auto& d : deployments)
    out.Gauge("edgesync_deployment_state", "1 for each deployment: the version it serves and its state.", 1,
              {{"deployment", d.name}, {"version", d.active}, {"state", d.state}});
  for (const auto& d : deployments)
    out.Counter("edgesync_deployment_switches_total", "Switches of a deployment to another version (rollbacks included).",
                static_cast<double>(d.switches), {{"deployment", d.name}});
  for (const auto& d : deployments)
    out.Counter("edgesync_deployment_rollbacks_total", "Versions a deployment switched back from after a failed health check.",
                static_cast<double>(d.rollbacks), {{"deployment", d.name}});
  MutexLock lock(mu_);
  if (options_.fleet_nodes) {
    out.Gauge("edgesync_fleet_nodes", "Nodes known by their fleet records (this one included).",
              static_cast<double>(fleet_nodes_.size()));
    out.Gauge("edgesync_fleet_nodes_stale", "Nodes whose fleet record is older than fleet.stale_after.",
              static_cast<double>(fleet_nodes_stale_));
  }
  if (quota_) {
    out.Gauge("edgesync_disk_quota_used_bytes", "Chunk bytes stored, as the disk quota counts them.",
              static_cast<double>(quota_->used_bytes));
    out.Gauge("edgesync_disk_quota_limit_bytes", "The disk quota in force (storage.max_bytes, lowered by storage.min_free).",
              static_cast<double>(quota_->limit_bytes));
    out.Gauge("edgesync_disk_quota_evicted_versions", "Versions whose chunks were evicted (listed, fetched again on demand).",
              static_cast<double>(quota_->evicted_versions));
    out.Counter("edgesync_disk_quota_evictions_total", "Versions evicted to stay under the disk quota since start.",
                static_cast<double>(quota_->evictions));
    out.Counter("edgesync_disk_quota_refusals_total", "Puts and replicated versions refused as over quota since start.",
                static_cast<double>(quota_->refusals));
    out.Gauge("edgesync_disk_quota_replication_paused", "1 while incoming replication waits for room under the quota.",
              quota_->paused ? 1 : 0);
  }
  if (have_stats_) {
    out.Gauge("edgesync_store_bytes", "Chunk bytes stored after deduplication (estimate).",
              static_cast<double>(stats_.chunk_bytes));
    out.Gauge("edgesync_store_logical_bytes", "Bytes of every live head's files before deduplication.",
              static_cast<double>(stats_.logical_bytes));
    out.Gauge("edgesync_store_chunks", "Chunks stored (estimate).", static_cast<double>(stats_.chunks));
    out.Gauge("edgesync_store_keys", "Keys with a live head.", static_cast<double>(stats_.keys));
    out.Gauge("edgesync_identity_clashes", "Versions refused for carrying the vector of another version (see conflicts).",
              static_cast<double>(stats_.identity_clashes));
    out.Counter("edgesync_store_incarnations_started_total",
                "New store incarnations started since the daemon started (store restored from an older copy).",
                static_cast<double>(stats_.reincarnations));
    if (const auto& tier = stats_.tier) {
      out.Gauge("edgesync_tier_packs", "Packs in the chunk tier holding live chunks.", static_cast<double>(tier->packs));
      out.Gauge("edgesync_tier_pack_bytes", "Bytes of those packs in the bucket.", static_cast<double>(tier->pack_bytes));
      out.Counter("edgesync_tier_pack_uploads_total", "Packs uploaded since the daemon started.",
                  static_cast<double>(tier->pack_uploads));
      out.Counter("edgesync_tier_range_reads_total", "Ranged GETs of packs on cache misses since the daemon started.",
                  static_cast<double>(tier->range_reads));
      out.Counter("edgesync_tier_checkpoints_total", "Metadata checkpoints uploaded since the daemon started.",
                  static_cast<double>(tier->checkpoints));
      out.Gauge("edgesync_tier_cache_bytes", "Bytes of packs cached on local disk.", static_cast<double>(tier->cache_bytes));
    }
    if (stats_.chunk_bytes > 0)
      out.Gauge("edgesync_store_dedup_ratio", "Logical bytes per stored byte.",
                static_cast<double>(stats_.logical_bytes) / static_cast<double>(stats_.chunk_bytes));
  }
  for (const char* kind : {"model", "dataset", "meta"})
    for (const char* origin : {"local", "replicated"}) {
      auto it = versions_applied_.find({kind, origin});
      out.Counter("edgesync_versions_applied_total", "Versions committed to the store, by kind and origin.",
                  it == versions_applied_.end() ? 0 : static_cast<double>(it->second),
                  {{"kind", kind}, {"origin", origin}});
    }
  size_t connected = 0;
  for (const auto& [id, p] : peers_)
    if (p.event.value("state", "") == "connected") ++connected;
  out.Gauge("edgesync_peers_connected", "Peers with a link up.", static_cast<double>(connected));
  for (const auto& [id, p] : peers_)
    out.Counter("edgesync_peer_received_bytes_total", "Bytes received on the current link to a peer.",
                static_cast<double>(p.bytes_in), {{"peer", id}});
  for (const auto& [id, p] : peers_)
    out.Counter("edgesync_peer_sent_bytes_total", "Bytes sent on the current link to a peer.",
                static_cast<double>(p.bytes_out), {{"peer", id}});
  for (const auto& [id, p] : peers_)
    out.Gauge("edgesync_peer_lag_changes", "Change-log entries of a peer this node has not read yet.",
              static_cast<double>(p.event.value("lag_changes", uint64_t{0})), {{"peer", id}});
  for (const auto& [id, p] : peers_)
    if (const uint64_t ms = p.event.value("last_seen_ms", uint64_t{0}))
      out.Gauge("edgesync_peer_last_seen_timestamp_seconds",
                "When a peer was last heard from (Unix seconds): the last sample while its link is up.",
                static_cast<double>(ms) / 1000, {{"peer", id}});
  if (versions_pending_)
    out.Gauge("edgesync_versions_pending", "Versions accepted from peers and not applied yet.",
              static_cast<double>(*versions_pending_));
  if (versions_unserved_)
    out.Gauge("edgesync_versions_unserved", "Versions wanted here that no connected peer can serve.",
              static_cast<double>(*versions_unserved_));
  HistogramSample durations;
  durations.bounds.assign(kDurationBounds.begin(), kDurationBounds.end());
  durations.buckets.assign(duration_buckets_.begin(), duration_buckets_.end());
  durations.count = duration_count_;
  durations.sum = duration_sum_;
  out.Histogram("edgesync_transfer_duration_seconds",
                "Time from first sight to apply of versions fetched from peers (transfers sampled in flight).", durations);
  out.Gauge("edgesync_transfers_active", "Versions being fetched.",
            static_cast<double>(tracker_.Current(0).size()));
  out.Gauge("edgesync_conflicts_open", "Keys with concurrent heads.", static_cast<double>(open_conflicts_.size()));
  out.Counter("edgesync_conflicts_opened_total", "Keys that gained concurrent heads.",
              static_cast<double>(conflicts_opened_));
  out.Counter("edgesync_conflicts_resolved_total", "Conflicts that went back to one head.",
              static_cast<double>(conflicts_resolved_));
  out.Counter("edgesync_corrupt_data_rejected_total",
              "Chunks or versions from peers refused because they failed their hash.",
              static_cast<double>(corrupt_data_));
  out.Counter("edgesync_auth_failures_total", "Refused peer links and HTTP requests without a valid token.",
              static_cast<double>(peer_auth_failures_), {{"source", "peer"}});
  out.Counter("edgesync_auth_failures_total", "", static_cast<double>(http_auth_failures_), {{"source", "http"}});
  out.Counter("edgesync_auth_failures_total", "", static_cast<double>(join_auth_failures_),
              {{"source", "join"}});
  const char* help = "What read rules (meta/acl) withheld from peers: keys left out of changes batches, "
                     "manifests and chunks refused.";
  for (const auto& [kind, count] : read_refusals_) {
    out.Counter("edgesync_read_refusals_total", help, static_cast<double>(count), {{"kind", kind}});
    help = "";
  }
  out.Counter("edgesync_gc_runs_total", "Garbage collections run by the daemon's timer.",
              static_cast<double>(gc_runs_));
  out.Counter("edgesync_gc_reclaimed_bytes_total", "Chunk bytes deleted by garbage collection.",
              static_cast<double>(gc_bytes_));
  if (limits_.certificate_not_after_s)
    out.Gauge("edgesync_cert_expiry_timestamp_seconds", "When this node's certificate expires (notAfter, Unix seconds).",
              static_cast<double>(*limits_.certificate_not_after_s));
  if (limits_.crl_next_update_s)
    out.Gauge("edgesync_crl_next_update_timestamp_seconds",
              "When the configured CRL must be re-issued (nextUpdate, Unix seconds).",
              static_cast<double>(*limits_.crl_next_update_s));
  if (limits_.disk_free_bytes)
    out.Gauge("edgesync_disk_free_bytes", "Bytes free for the daemon on the store's filesystem.",
              static_cast<double>(*limits_.disk_free_bytes));
  if (limits_.disk_size_bytes)
    out.Gauge("edgesync_disk_size_bytes", "Size of the store's filesystem in bytes.",
              static_cast<double>(*limits_.disk_size_bytes));
  out.Gauge("edgesync_status_clients", "Connected /status WebSocket clients.",
            static_cast<double>(status_clients_.load()));
  return out.text();
}

}  // namespace edgesync
