// What the replicator reports (peers, where keys are, who holds a version, transfers,
// versions no connected peer can serve) and the selection it replicates (subscriptions,
// labels, GC roots).
#include <algorithm>

#include "replication/replicator_impl.h"

namespace edgesync::replication {

std::vector<PeerStatus> Replicator::Impl::Peers() {
  MutexLock lock(mu_);
  std::vector<PeerStatus> out;
  for (const auto& [node, p] : peers_) {
    PeerStatus s{node, p.address, p.role, p.labels, p.connected, p.last_seen_ms, 0, 0, p.checkpoint, p.latest, 0};
    s.bytes_in_total = p.bytes_in_before;
    s.bytes_out_total = p.bytes_out_before;
    if (auto l = p.connected ? p.link.lock() : nullptr) {
      auto st = l->stats();
      s.bytes_in = st.bytes_received;
      s.bytes_out = st.bytes_sent;
      s.bytes_in_total += st.bytes_received;
      s.bytes_out_total += st.bytes_sent;
      s.clock_skew_ms = l->peer().clock_skew_ms;
      s.software_version = l->peer().software_version;
    }
    for (const auto& [tk, t] : transfers_)
      if (t->source == node) ++s.transfers;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<ResyncReport> Replicator::Impl::ResyncReports(const std::vector<std::string>& nodes) {
  MutexLock lock(mu_);
  std::vector<ResyncReport> out;
  for (const auto& node : nodes) {
    auto it = peers_.find(node);
    if (it == peers_.end() || !it->second.resync) continue;
    ResyncReport r = it->second.resync->report;
    r.connected = it->second.connected;
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<KeyLocation> Replicator::Impl::Where(const std::string& key) {
  std::vector<KeyLocation> out;
  auto k = ObjectKey::Parse(key);
  if (k.ok()) {
    auto heads = store_.Heads(*k);
    if (heads.ok()) {
      KeyLocation mine{store_.node_id(), {}, true};
      for (const auto& h : *heads) mine.version_ids.push_back(h.id);
      out.push_back(std::move(mine));
    }
  }
  MutexLock lock(mu_);
  auto it = fleet_.find(key);
  if (it != fleet_.end())
    for (const auto& [node, ids] : it->second) out.push_back({node, ids, false});
  return out;
}

std::vector<PeerHolding> Replicator::Impl::Holding(const std::string& key, const std::string& version_id) {
  MutexLock lock(mu_);
  std::vector<PeerHolding> out;
  auto known = fleet_.find(key);
  for (const auto& [node, p] : peers_) {
    PeerHolding h{node, p.labels, p.connected, false};
    if (known != fleet_.end()) {
      auto ids = known->second.find(node);
      h.holds = ids != known->second.end() &&
                std::find(ids->second.begin(), ids->second.end(), version_id) != ids->second.end();
    }
    out.push_back(std::move(h));
  }
  return out;
}

void Replicator::Impl::MarkUnserved(const Transfer& t, const std::string& why) {
  auto& u = unserved_[TransferKey(t.key, t.record.Id(t.key))];
  if (u.report.since_ms == 0) u.report.since_ms = NowMs();
  u.report.key = t.key;
  u.report.version_id = t.record.Id(t.key);
  u.report.reason = "wanted by this node, no connected peer holds it (" + why + ")";
  u.record = t.record;
}

void Replicator::Impl::ClearUnserved(const std::string& key, const VersionRecord& applied) {
  std::erase_if(unserved_, [&](const auto& entry) {
    if (entry.second.report.key != key) return false;
    auto order = applied.vector.Compare(entry.second.record.vector);
    return order == VectorOrder::kEqual || order == VectorOrder::kDominates;
  });
}

std::vector<UnservedVersion> Replicator::Impl::Unserved() {
  MutexLock lock(mu_);
  std::vector<UnservedVersion> out;
  for (const auto& [tk, u] : unserved_) out.push_back(u.report);
  return out;
}

size_t Replicator::Impl::ActiveTransfers() {
  MutexLock lock(mu_);
  return transfers_.size();
}

std::vector<TransferStatus> Replicator::Impl::Transfers() {
  MutexLock lock(mu_);
  std::vector<TransferStatus> out;
  out.reserve(transfers_.size());
  for (const auto& [tk, t] : transfers_) {
    TransferStatus s{t->key, t->record.Id(t->key), t->source, {t->holders.begin(), t->holders.end()},
                     t->have_manifest, t->total_bytes, t->stored_bytes, {t->helpers.begin(), t->helpers.end()}};
    for (const auto& peer : t->schedule.SwarmPeers())
      if (t->helpers.count(peer) == 0) s.helpers.push_back(peer);
    s.priority = t->priority;
    out.push_back(std::move(s));
  }
  return out;
}

Replicator::Impl::SelectionState Replicator::Impl::Selection() {
  MutexLock lock(mu_);
  return selection_;
}

bool Replicator::Impl::SetSelection(std::vector<std::string> subscriptions, std::map<std::string, std::string> labels) {
  MutexLock lock(mu_);
  const std::vector<std::string>& current = selection_.subscriptions;
  bool widened = !current.empty() &&
                 (subscriptions.empty() ||
                  std::any_of(subscriptions.begin(), subscriptions.end(), [&](const std::string& g) {
                    return std::find(current.begin(), current.end(), g) == current.end();
                  }));
  widened = widened || labels != selection_.labels;  // other parts may now be placed here
  selection_ = {std::move(subscriptions), std::move(labels)};
  return widened;
}

Store::FileFilter Replicator::Impl::GcRoots(const std::string& key, const VersionRecord& record, const Manifest& manifest) {
  if (record.author == store_.node_id()) return {};
  const auto selection = Selection();
  if (!Subscribed(selection.subscriptions, key)) return [](const FileEntry&) { return false; };
  return PlacementFilter(manifest, selection.labels);
}

Status Replicator::Impl::DropUnsubscribed() {
  auto intents = store_.PendingIntents();
  if (!intents.ok()) return intents.status();
  const auto selection = Selection();
  for (const auto& intent : *intents) {
    if (Subscribed(selection.subscriptions, intent.key)) continue;
    EDGESYNC_RETURN_IF_ERROR(store_.DropIntent(intent.key, intent.record.Id(intent.key)));
    MutexLock lock(mu_);
    transfers_.erase(TransferKey(intent.key, intent.record.Id(intent.key)));
    unserved_.erase(TransferKey(intent.key, intent.record.Id(intent.key)));
  }
  return Status::Ok();
}

}  // namespace edgesync::replication
