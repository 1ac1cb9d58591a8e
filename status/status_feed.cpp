#include "status/status_feed.h"

#include <algorithm>

#include "base/build_info.h"
#include "base/wall_clock.h"
#include "conflict/resolution.h"
#include "status/feed_message.h"
#include "store/object_key.h"

namespace edgesync {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {


json ToArray(const std::map<std::string, json>& items) {
  json out = json::array();
  for (const auto& [key, item] : items) out.push_back(item);
  return out;
}

json ParseObject(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : json::object();
}

}  // namespace

std::shared_ptr<StatusFeed> StatusFeed::Create(Store& store, conflict::ConflictMonitor* conflicts,
                                               StatusHub& hub, StatusFeedOptions options) {
  return std::shared_ptr<StatusFeed>(new StatusFeed(store, conflicts, hub, std::move(options)));
}

StatusFeed::StatusFeed(Store& store, conflict::ConflictMonitor* conflicts, StatusHub& hub,
                       StatusFeedOptions options)
    : store_(store), conflicts_(conflicts), hub_(hub), options_(std::move(options)),
      tracker_(options_.tick) {}

StatusFeed::~StatusFeed() { Stop(); }

void StatusFeed::Start(replication::Replicator* replicator) {
  replicator_ = replicator;
  std::weak_ptr<StatusFeed> weak = weak_from_this();
  store_.AddChangeListener([weak](const Change& change) {
    if (auto feed = weak.lock()) feed->OnChange(change);
  });
  thread_ = std::thread([this] { Run(); });
}

void StatusFeed::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.NotifyAll();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

// ---- inputs

void StatusFeed::OnChange(const Change& change) {
  auto key = ObjectKey::Parse(change.key);
  const char* kind = key.ok() ? KindName(key->kind()) : "unknown";
  const uint64_t ts = WallClockMs();
  const auto now = Clock::now();
  std::vector<std::string> events;
  {
    MutexLock lock(mu_);
    auto known = heads_.find(change.key);
    std::vector<const VersionRecord*> fresh;
    for (const auto& head : change.heads) {
      const std::string id = head.Id(change.key);
      if (known != heads_.end() &&
          std::find(known->second.begin(), known->second.end(), id) != known->second.end())
        continue;
      fresh.push_back(&head);
    }
    // A key seen for the first time with several heads: only the newest is news.
    if (known == heads_.end() && fresh.size() > 1) fresh.resize(1);
    std::vector<std::string> ids;
    for (const auto& head : change.heads) ids.push_back(head.Id(change.key));
    heads_[change.key] = std::move(ids);
    for (const VersionRecord* record : fresh) {
      const bool local = record->author == store_.node_id() || record->author == conflict::kResolvedAuthor;
      json e = FeedMessage("version", ts);
      e["key"] = change.key;
      e["kind"] = kind;
      e["version"] = record->Id(change.key);
      e["author"] = record->author;
      e["origin"] = local ? "local" : "replicated";
      if (record->tombstone) e["deleted"] = true;
      ++versions_applied_[{kind, local ? "local" : "replicated"}];
      tracker_.MarkApplied(change.key, record->Id(change.key), !local, now);
      versions_.push_front(e);
      if (versions_.size() > options_.recent_versions) versions_.pop_back();
      events.push_back(e.dump());
    }
    pending_keys_.insert(change.key);
  }
  for (auto& e : events) hub_.Publish(std::move(e));
}

void StatusFeed::PublishError(const std::string& category, const std::string& message,
                              const std::string& peer) {
  json e = FeedMessage("error", WallClockMs());
  e["category"] = category;
  e["message"] = message;
  if (!peer.empty()) e["peer"] = peer;
  hub_.Publish(e.dump());
}

void StatusFeed::OnCorruptData(const std::string& peer, const std::string& message) {
  {
    MutexLock lock(mu_);
    ++corrupt_data_;
  }
  PublishError("corrupt_chunk", message, peer);
}

void StatusFeed::SampleRefusals() {
  if (!options_.refusals) return;
  auto recent = options_.refusals();
  std::vector<std::string> events;
  {
    MutexLock lock(mu_);
    for (auto it = recent.rbegin(); it != recent.rend(); ++it) {  // oldest first
      auto [seen, fresh] = refusals_seen_.try_emplace({it->address, it->reason}, *it);
      uint64_t added = fresh ? it->count : (it->count > seen->second.count ? it->count - seen->second.count
                                            : it->at_ms > seen->second.at_ms ? it->count : 0);
      seen->second = *it;
      if (added == 0) continue;
      peer_auth_failures_ += added;
      json e = FeedMessage("error", WallClockMs());
      e["category"] = "peer_refused";
      e["message"] = "link with " + it->address + " refused: " + it->reason;
      e["peer"] = it->address;
      events.push_back(e.dump());
    }
  }
  for (auto& e : events) hub_.Publish(std::move(e));
}

void StatusFeed::SampleDeployments() {
  if (!options_.deployments) return;
  const std::vector<DeploymentSample> samples = options_.deployments();
  std::vector<std::string> events;
  {
    MutexLock lock(mu_);
    DeploymentEvents(samples, &events);
  }
  for (auto& e : events) hub_.Publish(std::move(e));
}

void StatusFeed::DeploymentEvents(const std::vector<DeploymentSample>& samples,
                                              std::vector<std::string>* events) {
  std::set<std::string> present;
  for (const DeploymentSample& d : samples) {
    present.insert(d.name);
    json e = FeedMessage("deployment", WallClockMs());
    e.update({{"name", d.name},
              {"key", d.key},
              {"target", d.target},
              {"active", d.active},
              {"state", d.state},
              {"last_error", d.last_error},
              {"switches", d.switches},
              {"rollbacks", d.rollbacks},
              {"updated_ms", d.updated_ms}});
    auto [it, fresh] = deployments_.try_emplace(d.name, e);
    if (!fresh && it->second.value("updated_ms", uint64_t{0}) == d.updated_ms && it->second["state"] == d.state)
      continue;
    it->second = e;
    events->push_back(e.dump());
  }
  for (auto it = deployments_.begin(); it != deployments_.end();) {
    if (present.count(it->first)) {
      ++it;
      continue;
    }
    json e = it->second;
    e["ts"] = WallClockMs();
    e["state"] = "removed";
    events->push_back(e.dump());
    it = deployments_.erase(it);
  }
}

void StatusFeed::OnHttpAuthFailure(const std::string& client) {
  MutexLock lock(mu_);
  ++http_auth_failures_;
  (void)client;  // counted, not published: a scanner should not flood every dashboard
}

void StatusFeed::OnJoinRefused() {
  MutexLock lock(mu_);
  ++join_auth_failures_;
}

void StatusFeed::OnReadRefused(const std::string& kind, uint64_t count) {
  MutexLock lock(mu_);
  read_refusals_[kind] += count;
}

void StatusFeed::OnGarbageCollected(const GcStats& stats) {
  MutexLock lock(mu_);
  ++gc_runs_;
  gc_bytes_ += stats.bytes_deleted;
}

// ---- the sampling thread

void StatusFeed::Run() {
  LoadInitialState();
  auto next_peers = Clock::now(), next_node = Clock::now();
  auto next_fleet = Clock::now() + options_.fleet_interval;
  while (true) {
    std::set<std::string> keys;
    {
      MutexLock lock(mu_);
      const auto deadline = std::chrono::steady_clock::now() + options_.tick;
      while (!stopping_ && wake_.WaitUntil(mu_, deadline)) {
      }
      if (stopping_) return;
      keys.swap(pending_keys_);
    }
    SampleTransfers();
    SampleDeployments();
    if (!keys.empty()) RefreshKeys(keys);
    const auto now = Clock::now();
    // Links that come up or go down show within a tick; traffic figures once per interval.
    const bool peer_figures = now >= next_peers;
    SamplePeers(peer_figures);
    if (peer_figures) {
      SampleRefusals();
      next_peers = now + options_.peer_interval;
    }
    if (now >= next_node) {
      SampleNode();
      next_node = now + options_.node_interval;
    }
    if (now >= next_fleet) {
      std::vector<std::string> fleet_keys;
      {
        MutexLock lock(mu_);
        for (const auto& [key, holders] : fleet_) fleet_keys.push_back(key);
      }
      std::vector<std::string> events;
      for (const auto& key : fleet_keys) RefreshFleet(key, &events);
      SampleFleetNodes();
      for (auto& e : events) hub_.Publish(std::move(e));
      next_fleet = now + options_.fleet_interval;
    }
  }
}

void StatusFeed::LoadInitialState() {
  std::set<std::string> keys;
  for (const char* prefix : {"model/", "dataset/", ""}) {
    auto listed = store_.ListKeys(prefix);
    if (!listed.ok()) continue;
    size_t limit = *prefix ? options_.max_catalog_items : options_.max_fleet_keys;
    for (size_t i = 0; i < listed->size() && i < limit; ++i) keys.insert((*listed)[i]);
  }
  if (conflicts_) {
    auto open = conflicts_->OpenConflicts();
    if (open.ok())
      for (const auto& c : *open) keys.insert(c.key);
  }
  RefreshKeys(keys);
}

void StatusFeed::SampleTransfers() {
  if (!replicator_) return;
  auto active = replicator_->Transfers();
  std::vector<json> events;
  {
    MutexLock lock(mu_);
    events = tracker_.Sample(Clock::now(), WallClockMs(), active);
    for (double seconds : tracker_.TakeFinishedDurations()) {
      ++duration_count_;
      duration_sum_ += seconds;
      for (size_t i = 0; i < kDurationBounds.size(); ++i)
        if (seconds <= kDurationBounds[i]) ++duration_buckets_[i];
    }
  }
  for (const auto& e : events) hub_.Publish(e.dump());
}

void StatusFeed::SamplePeers(bool with_figures) {
  if (!replicator_) return;
  auto peers = replicator_->Peers();
  const auto now = Clock::now();
  const uint64_t ts = WallClockMs();
  std::vector<std::string> events;
  {
    MutexLock lock(mu_);
    for (const auto& p : peers) {
      auto [it, fresh] = peers_.try_emplace(p.node_id, options_.rate_window);
      PeerSample& s = it->second;
      const char* state = p.connected ? "connected" : "disconnected";
      if (p.connected) {
        s.in_rate.Add(now, p.bytes_in);
        s.out_rate.Add(now, p.bytes_out);
      } else {
        s.in_rate.Clear();
        s.out_rate.Clear();
      }
      if (!with_figures && !fresh && s.event.value("state", "") == state) continue;
      json e = FeedMessage("peer", ts);
      e["node_id"] = p.node_id;
      if (!p.address.empty()) e["address"] = p.address;
      if (!p.role.empty()) e["role"] = p.role;
      e["state"] = state;
      e["lag_changes"] = p.peer_latest > p.checkpoint ? p.peer_latest - p.checkpoint : 0;
      e["bytes_in"] = p.bytes_in;
      e["bytes_out"] = p.bytes_out;
      if (auto in = s.in_rate.BytesPerSecond()) e["in_bps"] = *in;
      if (auto out = s.out_rate.BytesPerSecond()) e["out_bps"] = *out;
      // A link that is up is live now (transport pings an idle link and drops a silent one);
      // replication's time is when the peer's last message arrived.
      const uint64_t last_seen_ms = p.connected ? ts : p.last_seen_ms;
      if (last_seen_ms) e["last_seen_ms"] = last_seen_ms;
      if (p.clock_skew_ms) e["clock_skew_ms"] = *p.clock_skew_ms;
      if (!p.software_version.empty()) e["version"] = p.software_version;
      bool changed = fresh || s.event.value("state", "") != e["state"] ||
                     p.bytes_in != s.bytes_in || p.bytes_out != s.bytes_out ||
                     s.event.value("in_bps", json()) != e.value("in_bps", json()) ||
                     s.event.value("out_bps", json()) != e.value("out_bps", json()) ||
                     s.event.value("lag_changes", uint64_t{0}) != e["lag_changes"].get<uint64_t>();
      s.bytes_in = p.bytes_in;
      s.bytes_out = p.bytes_out;
      if (changed) {
        s.event = e;
        events.push_back(e.dump());
      } else {
        s.event["ts"] = ts;
        if (p.connected) s.event["last_seen_ms"] = ts;
      }
    }
  }
  for (auto& e : events) hub_.Publish(std::move(e));
}

json StatusFeed::NodeEvent(uint64_t now_ms) const {
  json e = FeedMessage("node", now_ms);
  e["id"] = store_.node_id();
  e["name"] = options_.node_name;
  e["version"] = BuildVersion();
  e["commit"] = BuildCommit();
  e["labels"] = options_.labels ? json(options_.labels()) : json::object();
  e["uptime_s"] = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - options_.started).count();
  if (have_stats_) {
    e["store_bytes"] = stats_.chunk_bytes;
    e["chunks"] = stats_.chunks;
    if (stats_.chunk_bytes > 0 && stats_.logical_bytes > 0)
      e["dedup_ratio"] = static_cast<double>(stats_.logical_bytes) / static_cast<double>(stats_.chunk_bytes);
  }
  if (replicator_)
    if (auto skew = replicator_->ClockSkewMs()) e["clock_skew_ms"] = *skew;
  if (quota_) {
    e["disk_quota"] = {{"used_bytes", quota_->used_bytes},         {"reserved_bytes", quota_->reserved_bytes},
                       {"limit_bytes", quota_->limit_bytes},       {"evicted_versions", quota_->evicted_versions},
                       {"evictions", quota_->evictions},           {"refusals", quota_->refusals},
                       {"replication_paused", quota_->paused}};
  }
  return e;
}

void StatusFeed::SampleNode() {
  auto stats = store_.Stats();
  NodeLimits limits = SampleNodeLimits(options_.limits);
  std::optional<DiskQuotaSample> quota = options_.disk_quota ? options_.disk_quota() : std::nullopt;
  std::optional<size_t> pending, unserved;
  if (replicator_) {
    if (auto count = replicator_->PendingCount(); count.ok()) pending = *count;
    unserved = replicator_->Unserved().size();
  }
  std::string event;
  {
    MutexLock lock(mu_);
    if (stats.ok()) {
      stats_ = *stats;
      have_stats_ = true;
    }
    limits_ = limits;
    quota_ = quota;
    versions_pending_ = pending;
    versions_unserved_ = unserved;
    event = NodeEvent(WallClockMs()).dump();
  }
  hub_.Publish(std::move(event));
}

json StatusFeed::CatalogItem(const std::string& key_text) {
  auto key = ObjectKey::Parse(key_text);
  if (!key.ok() || key->kind() == ObjectKind::kMeta) return nullptr;
  auto latest = store_.Latest(*key);
  if (!latest.ok()) return nullptr;
  auto spec_text = store_.ReadSpec(latest->record.manifest_id);
  if (!spec_text.ok()) return nullptr;
  json spec = ParseObject(*spec_text);
  json item = {{"key", key_text}, {"version", latest->id}};
  if (key->kind() == ObjectKind::kModel) {
    if (spec.contains("task")) item["task"] = spec["task"];
    if (spec.contains("labels")) item["labels"] = spec["labels"];
    if (spec.contains("metrics")) item["metrics"] = spec["metrics"];
    if (spec.contains("format")) item["format"] = spec["format"];
  } else {
    if (spec.contains("format")) item["format"] = spec["format"];
    json stats = spec.value("stats", json::object());
    if (stats.contains("samples")) item["samples"] = stats["samples"];
    if (stats.contains("classes")) item["classes"] = stats["classes"];
  }
  return item;
}

void StatusFeed::RefreshFleet(const std::string& key, std::vector<std::string>* events) {
  if (!replicator_) return;
  json holders = json::array();
  for (const auto& loc : replicator_->Where(key))
    holders.push_back({{"node_id", loc.node_id}, {"versions", loc.version_ids}});
  MutexLock lock(mu_);
  auto it = fleet_.find(key);
  if (it != fleet_.end() && it->second == holders) return;
  if (it == fleet_.end() && fleet_.size() >= options_.max_fleet_keys) return;
  fleet_[key] = holders;
  json e = FeedMessage("fleet", WallClockMs());
  e["key"] = key;
  e["holders"] = std::move(holders);
  events->push_back(e.dump());
}

void StatusFeed::RefreshKeys(const std::set<std::string>& keys) {
  std::vector<std::string> events;
  std::optional<conflict::PolicyTable> policies;
  bool catalog_changed = false;
  for (const auto& key_text : keys) {
    auto key = ObjectKey::Parse(key_text);
    if (!key.ok()) continue;
    // Conflicts: a key with several heads is open until it is back to one.
    auto heads = store_.Heads(*key);
    std::vector<std::string> head_ids;
    if (heads.ok())
      for (const auto& h : *heads) head_ids.push_back(h.id);
    if (head_ids.size() > 1 && !policies && conflicts_) {
      auto table = conflicts_->CurrentPolicies();
      policies = table.ok() ? *table : conflict::PolicyTable();
    }
    {
      MutexLock lock(mu_);
      auto open = open_conflicts_.find(key_text);
      if (head_ids.size() > 1) {
        json c = FeedMessage("conflict", WallClockMs());
        c["key"] = key_text;
        c["state"] = "opened";
        c["heads"] = head_ids;
        if (policies) c["policy"] = policies->For(key_text).ToString();
        if (open == open_conflicts_.end() || open->second["heads"] != c["heads"]) {
          if (open == open_conflicts_.end()) ++conflicts_opened_;
          open_conflicts_[key_text] = c;
          events.push_back(c.dump());
        }
      } else if (open != open_conflicts_.end()) {
        json c = open->second;
        c["ts"] = WallClockMs();
        c["state"] = "resolved";
        c["heads"] = head_ids;
        open_conflicts_.erase(open);
        ++conflicts_resolved_;
        events.push_back(c.dump());
      }
    }
    // Catalog items.
    if (key->kind() != ObjectKind::kMeta) {
      json item = CatalogItem(key_text);
      MutexLock lock(mu_);
      auto& items = key->kind() == ObjectKind::kModel ? models_ : datasets_;
      auto it = items.find(key_text);
      if (item.is_null()) {
        if (it != items.end()) {
          items.erase(it);
          catalog_changed = true;
        }
      } else if (it == items.end() ? items.size() < options_.max_catalog_items : it->second != item) {
        items[key_text] = std::move(item);
        catalog_changed = true;
      }
    }
    RefreshFleet(key_text, &events);
  }
  if (catalog_changed) {
    MutexLock lock(mu_);
    json e = FeedMessage("catalog", WallClockMs());
    e["models"] = ToArray(models_);
    e["datasets"] = ToArray(datasets_);
    events.push_back(e.dump());
  }
  for (auto& e : events) hub_.Publish(std::move(e));
}

// ---- snapshot

std::string StatusFeed::Snapshot() {
  const uint64_t ts = WallClockMs();
  MutexLock lock(mu_);
  json s = FeedMessage("snapshot", ts);
  s["node"] = NodeEvent(ts);
  json peers = json::array();
  for (const auto& [id, p] : peers_) peers.push_back(p.event);
  s["peers"] = std::move(peers);
  s["transfers"] = tracker_.Current(ts);
  s["versions"] = json(std::vector<json>(versions_.begin(), versions_.end()));
  s["conflicts"] = ToArray(open_conflicts_);
  json fleet = json::array();
  for (const auto& [key, holders] : fleet_) fleet.push_back({{"type", "fleet"}, {"key", key}, {"holders", holders}});
  s["fleet"] = std::move(fleet);
  json deployments = json::array();
  for (const auto& [name, d] : deployments_) deployments.push_back(d);
  s["deployments"] = std::move(deployments);
  json nodes = json::array();
  for (json n : fleet_nodes_) {
    n.erase("comparable");
    nodes.push_back(std::move(n));
  }
  s["nodes"] = std::move(nodes);
  s["models"] = ToArray(models_);
  s["datasets"] = ToArray(datasets_);
  return s.dump();
}

}  // namespace edgesync
