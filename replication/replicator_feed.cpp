// The change feed: links coming up and going down, the blocking-task plumbing, serving and
// applying changes batches, pokes, resyncs, purge resyncs and new store incarnations.
#include <algorithm>

#include "replication/replicator_impl.h"
#include "replication/write_acl.h"

namespace edgesync::replication {

Replicator::Impl::Impl(Store& store, ReplicatorOptions options) : store_(store), options_(std::move(options)) {
  selection_ = {options_.subscriptions, options_.labels};
  priorities_ = options_.priorities;
  if (options_.read_authority) read_rules_seen_ = options_.read_authority->acl();
}

void Replicator::Impl::RunBlocking(std::function<void()> fn) {
  {
    MutexLock lock(tasks_mu_);
    if (stopping_) return;
    ++tasks_;
  }
  auto self = shared_from_this();
  options_.run_blocking([self, fn = std::move(fn)]() mutable {
    fn();
    // Its captures (links among them) go before Shutdown can see the task done: a link
    // released after the transport's io_context is gone crashes in Beast's stream destructor.
    fn = nullptr;
    MutexLock lock(self->tasks_mu_);
    if (--self->tasks_ == 0) self->tasks_cv_.NotifyAll();
  });
}

void Replicator::Impl::Shutdown() {
  {
    MutexLock lock(tasks_mu_);
    stopping_ = true;
    while (tasks_ != 0) tasks_cv_.Wait(tasks_mu_);
  }  // late RunBlocking calls see stopping_ and return; they need not wait for the write below
  // Chunks received but still buffered are stored, not dropped: a restart then fetches only
  // what never arrived (they are XXH3-checked chunks; nothing becomes visible before its
  // version is applied). A kill loses the buffer; the versions' intents fetch it again.
  MutexLock received_lock(received_mu_);
  if (received_) {
    if (Status s = received_->Finish(); !s.ok())
      Log(3, "storing received chunks at shutdown: " + s.ToString());
    received_.reset();
  }
}

std::shared_ptr<Link> Replicator::Impl::LinkOf(const std::string& node) {
  auto it = peers_.find(node);
  return it == peers_.end() || !it->second.connected ? nullptr : it->second.link.lock();
}

void Replicator::Impl::OnLinkUp(Link& link) {
  auto shared = link.shared_from_this();
  const auto info = link.peer();
  Log(6, "peer " + info.node_id + " up at " + info.address + " (role " + info.role + ")");
  {
    // Registered at once, so that pokes from now on reach it and our own commits poke it;
    // `requesting` stays set until the first batch is applied.
    MutexLock lock(mu_);
    Peer& p = peers_[info.node_id];
    const uint64_t in_before = p.bytes_in_before, out_before = p.bytes_out_before;
    p = Peer{};
    p.bytes_in_before = in_before;
    p.bytes_out_before = out_before;
    p.link = shared;
    p.epoch = info.store_epoch;
    p.address = info.address;
    p.role = info.role;
    p.labels = info.labels;
    p.connected = true;
    p.requesting = true;
    p.last_seen_ms = NowMs();
  }
  RunBlocking([this, shared, info] {
    auto checkpoint = store_.GetCheckpoint(info.node_id, info.store_epoch);
    auto intents = store_.PendingIntents();
    MutexLock lock(mu_);
    auto it = peers_.find(info.node_id);
    if (it == peers_.end() || it->second.link.lock() != shared) return;
    Peer& p = it->second;
    p.checkpoint = checkpoint.ok() ? *checkpoint : 0;
    RequestChanges(info.node_id, p);
    if (intents.ok()) {
      for (const auto& intent : *intents) StartTransfer(intent.key, intent.record, info.node_id);
    }
  });
}

void Replicator::Impl::OnLinkDown(Link& link, const std::string& reason) {
  const std::string node = link.peer().node_id;
  Log(6, "peer " + node + " down: " + reason);
  MutexLock lock(mu_);
  auto it = peers_.find(node);
  if (it == peers_.end()) return;
  Peer& p = it->second;
  const auto stats = link.stats();
  p.bytes_in_before += stats.bytes_received;
  p.bytes_out_before += stats.bytes_sent;
  if (p.link.lock().get() != &link) return;  // a newer link replaced it
  p.connected = false;
  p.link.reset();
  p.requesting = false;
  if (p.purge_resync) {
    // Not finished: it is not kept, or this node would serve its peers nothing until this one
    // returns. The peer's next notice starts it again.
    Log(4, "comparing everything with " + node + " after its purge was cut short by the link going down");
    p.purge_resync.reset();
  }
  // Chunks a helper or swarm peer was fetching go back to the transfer's other sources.
  std::vector<std::string> resumed;
  std::vector<std::string> affected;
  for (auto& [tk, t] : transfers_) {
    t->availability.erase(node);  // when it returns, its first availability is answered
    if (t->source == node) {
      affected.push_back(tk);
    } else if (t->helpers.erase(node) + t->schedule.IsSwarmPeer(node) > 0) {
      t->schedule.RemoveSwarmPeer(node);
      TakeBackChunks(tk, *t, p);
      resumed.push_back(tk);
    }
  }
  p.requested.clear();
  p.inflight_bytes = 0;
  for (auto& queue : p.serve_queue) queue.clear();
  p.serve_queued = 0;
  p.serve_queued_bytes = 0;
  p.serve_paused = false;
  for (const auto& tk : affected) Reroute(tk, "peer " + node + " went away");
  for (const auto& tk : resumed)
    if (auto t = transfers_.find(tk); t != transfers_.end()) PumpSources(*t->second);
}

void Replicator::Impl::OnMessage(Link& link, Lane, uint32_t type, std::string payload) {
  auto shared = link.shared_from_this();
  const std::string node = link.peer().node_id;
  {
    MutexLock lock(mu_);
    auto it = peers_.find(node);
    if (it != peers_.end()) it->second.last_seen_ms = NowMs();
  }
  Status s;
  switch (type) {
    case kChangesRequest: s = ServeChanges(shared, payload); break;
    case kChangesBatch: s = HandleChanges(shared, payload); break;
    case kPoke: s = HandlePoke(node, payload); break;
    case kManifestRequest: s = ServeManifest(shared, payload); break;
    case kManifestReply: s = HandleManifest(node, payload); break;
    case kChunkRequest: s = ServeChunks(shared, payload); break;
    case kChunkData: HandleChunk(shared, std::move(payload)); break;
    case kChunkAvailability: s = HandleAvailability(node, payload); break;
    default: s = Status::InvalidArgument("unknown message type " + std::to_string(type));
  }
  if (!s.ok()) {
    Log(4, "peer " + node + " sent a bad message, closing its link: " + s.ToString());
    link.Close("protocol error: " + s.message());
  }
}

Status Replicator::Impl::ServeChanges(const std::shared_ptr<Link>& link, const std::string& payload) {
  auto req = DecodeChangesRequest(payload);
  if (!req.ok()) return req.status();
  size_t limit = std::clamp<size_t>(req->limit ? req->limit : options_.changes_per_batch, 1, kMaxChangesPerBatch);
  uint64_t since = req->since;
  return ServeBlocking(link, payload.size(), limits::PriorityClass::kUrgent, [this, link, since, limit, wanted = std::move(req->subscriptions)] {
    // Read the last sequence number first: a commit landing between the two reads must not
    // let `upto` skip past a change the batch does not contain.
    ChangesBatch batch;
    batch.latest = store_.LastSeq();
    if (since > batch.latest) {
      // The peer read a newer copy of this store: positions past the end will be reused and
      // counters issued after the copy was taken may be issued again.
      StartNewIncarnation(link->peer().node_id + " had read this node's change log up to " +
                          std::to_string(since) + ", but it ends at " + std::to_string(batch.latest) +
                          ": the store was restored from an older copy");
      return;
    }
    if (PurgeResyncing()) {
      // Keys this node holds may be deleted ones it is about to drop: serve nothing until
      // then (peers are poked when it is done).
      batch.upto = since;
      Send(link, Lane::kControl, kChangesBatch, Encode(batch));
      return;
    }
    batch.purge = PurgeNoticeFor(link->peer(), since);
    auto changes = store_.ChangesSince(since, limit);
    if (!changes.ok()) {
      Log(3, "reading the change log for " + link->peer().node_id + ": " + changes.status().ToString());
      return;
    }
    batch.more = changes->size() == limit;
    batch.upto = changes->empty() ? std::max(since, batch.latest) : changes->back().seq;
    const auto rules = ReadRules();
    size_t withheld = 0;
    for (auto& c : *changes) {
      if (!Subscribed(wanted, c.key)) continue;
      if (!MayRead(rules, link->peer(), c.key)) {
        ++withheld;
        continue;
      }
      batch.changes.push_back({c.key, std::move(c.heads)});
    }
    // Keys left out are counted, not logged as refusals: the peer did not ask for them by name.
    if (withheld > 0) options_.read_authority->Count(ReadRefusal::kChanges, withheld);
    Send(link, Lane::kControl, kChangesBatch, Encode(batch));
  });
}

void Replicator::Impl::StartNewIncarnation(const std::string& why) {
  if (Status s = store_.Reincarnate(why); !s.ok()) {
    Log(3, "starting a new store incarnation: " + s.ToString());
    return;
  }
  std::vector<std::shared_ptr<Link>> links;
  {
    MutexLock lock(mu_);
    for (const auto& [node, p] : peers_)
      if (auto l = p.link.lock()) links.push_back(std::move(l));
  }
  for (const auto& l : links) l->Close("the store started a new incarnation");
}

void Replicator::Impl::OnIdentityClash(const std::string& key, const VersionRecord& refused) {
  if (refused.author != store_.node_id()) return;
  StartNewIncarnation("a peer holds version " + refused.Id(key) + " of " + key + " written here with the vector " +
                      refused.vector.ToString() + ", which this store has issued again: it was restored from an older copy");
}

std::optional<PurgeNotice> Replicator::Impl::PurgeNoticeFor(const transport::PeerInfo& reader, uint64_t since) {
  auto previous = store_.RecordPeerRead(reader.node_id, since);
  if (!previous.ok()) {
    // Its next request records it, and gets the notice if one is due.
    Log(4, "recording how far " + reader.node_id + " read the change log: " + previous.status().ToString());
    return std::nullopt;
  }
  if (!*previous) return std::nullopt;  // a peer new to this log holds nothing of it
  auto mark = store_.LastPurge();
  if (!mark.ok() || mark->through_seq == 0 || std::max((*previous)->seq, since) >= mark->through_seq)
    return std::nullopt;
  auto checkpoint = store_.GetCheckpoint(reader.node_id, reader.store_epoch);
  return PurgeNotice{mark->horizon_ms, checkpoint.ok() ? *checkpoint : 0};
}

bool Replicator::Impl::PurgeResyncing() {
  MutexLock lock(mu_);
  for (const auto& [node, p] : peers_)
    if (p.purge_resync) return true;
  return false;
}

bool Replicator::Impl::StartPurgeResync(const std::shared_ptr<Link>& link, const transport::PeerInfo& info,
                      const PurgeNotice& notice) {
  MutexLock lock(mu_);
  auto it = peers_.find(info.node_id);
  if (it == peers_.end() || it->second.link.lock() != link) return true;
  Peer& p = it->second;
  if (p.purge_resync) return false;
  Log(4, "peer " + info.node_id + " purged deleted keys this node had not heard of (offline longer "
         "than its sync.max_offline?): comparing everything with it");
  p.purge_resync = PurgeResync{notice, info.subscriptions, {}, info};
  p.requesting = false;
  p.checkpoint = 0;
  RequestChanges(info.node_id, p);
  return true;
}

void Replicator::Impl::FinishPurgeResync(const std::string& node, const PurgeResync& resync) {
  const auto selection = Selection();
  const auto rules = ReadRules();
  auto purged = store_.PurgeKeys(
      [&](const std::string& key, uint64_t seq, const std::vector<VersionRecord>& heads) {
        if (resync.seen.count(key) || seq > resync.notice.your_log_read_upto) return false;
        if (!Subscribed(resync.subscriptions, key) || !Subscribed(selection.subscriptions, key)) return false;
        // This node never sent it a key it may not read: its absence there says nothing.
        if (!MayRead(rules, resync.peer, key)) return false;
        return std::all_of(heads.begin(), heads.end(), [&](const VersionRecord& h) {
          return HlcMillis(h.hlc) < resync.notice.horizon_ms;
        });
      },
      resync.notice.horizon_ms);
  if (!purged.ok()) {
    Log(3, "dropping keys " + node + " deleted and purged: " + purged.status().ToString());
    return;
  }
  std::string names;
  for (const auto& key : *purged) names += (names.empty() ? "" : ", ") + key;
  Log(purged->empty() ? 6 : 4, "compared everything with " + node + " after its purge of deleted keys: " +
                                   (purged->empty() ? std::string("nothing to drop")
                                                    : "dropped " + std::to_string(purged->size()) +
                                                          " key(s) deleted there: " + names));
}

Status Replicator::Impl::HandleChanges(const std::shared_ptr<Link>& link, const std::string& payload) {
  auto batch = DecodeChangesBatch(payload);
  if (!batch.ok()) return batch.status();
  const auto info = link->peer();
  RunBlocking([this, link, info, batch = std::move(batch).value()]() mutable {
    if (batch.purge && StartPurgeResync(link, info, *batch.purge)) return;  // read again from zero
    std::vector<Store::Intent> intents;
    std::vector<std::pair<std::string, bool>> compared;  // key, whether it brought new versions
    const auto selection = Selection();
    for (const auto& change : batch.changes) {
      if (!Subscribed(selection.subscriptions, change.key)) continue;
      auto key = ObjectKey::Parse(change.key);
      if (!key.ok()) continue;  // validated on decode
      const size_t intents_before = intents.size();
      auto local = store_.Heads(*key);
      std::vector<std::string> ids;
      for (const auto& remote : change.heads) {
        ids.push_back(remote.Id(change.key));
        bool known = false, check_identity = false;
        if (local.ok()) {
          for (const auto& h : *local) {
            auto order = h.record.vector.Compare(remote.vector);
            if (order == VectorOrder::kEqual || order == VectorOrder::kDominates) known = true;
            // Equal vectors must mean equal content; a dominated one may be an old version
            // this node retains under the same vector with other content.
            check_identity |= order == VectorOrder::kDominates ||
                              (order == VectorOrder::kEqual && !h.record.SameContent(remote));
          }
        }
        if (known && check_identity) {
          auto clash = store_.CheckIdentity(*key, remote, info.node_id);
          if (!clash.ok()) Log(3, "checking " + change.key + " against its retained versions: " + clash.status().ToString());
          else if (*clash) OnIdentityClash(change.key, remote);
        }
        if (known) continue;
        if (options_.admit_version) {
          Status admitted = options_.admit_version(change.key, remote, info.role);
          if (!admitted.ok()) {
            Log(4, "refused a version announced by " + info.node_id + ": " + admitted.message());
            continue;
          }
        }
        intents.push_back({change.key, remote, info.node_id});
      }
      compared.emplace_back(change.key, intents.size() > intents_before);
      MutexLock lock(mu_);
      fleet_[change.key][info.node_id] = std::move(ids);
    }
    Status s = store_.RecordIntents(info.node_id, info.store_epoch, batch.upto, intents);
    MutexLock lock(mu_);
    auto it = peers_.find(info.node_id);
    if (it == peers_.end() || it->second.link.lock() != link) return;
    Peer& p = it->second;
    p.requesting = false;
    if (!s.ok()) {
      Log(3, "recording changes from " + info.node_id + ": " + s.ToString());
      p.ask_again = true;
      return;
    }
    p.latest = batch.latest;
    Log(7, "batch from " + info.node_id + ": " + std::to_string(batch.changes.size()) + " keys, " +
               std::to_string(intents.size()) + " new versions, upto " + std::to_string(batch.upto));
    if (p.restart) {
      p.restart = false;
      p.checkpoint = 0;
      RequestChanges(info.node_id, p);
      return;
    }
    p.checkpoint = batch.upto;
    std::optional<PurgeResync> finished_purge;
    if (p.purge_resync) {
      for (const auto& change : batch.changes) p.purge_resync->seen.insert(change.key);
      if (!batch.more) {
        finished_purge = std::move(p.purge_resync);
        p.purge_resync.reset();
      }
    }
    if (p.resync && !p.resync->report.done) {
      ResyncReport& r = p.resync->report;
      for (const auto& [key, brought_new] : compared) {
        if (!p.resync->key_glob.empty() && !Subscribed({p.resync->key_glob}, key)) continue;
        ++r.keys_compared;
        if (brought_new) r.fetching.push_back(key);
        else ++r.in_sync;
      }
      r.done = !batch.more;
    }
    for (const auto& intent : intents) StartTransfer(intent.key, intent.record, info.node_id);
    if (batch.more || p.poked) {
      p.poked = false;
      RequestChanges(info.node_id, p);
    }
    if (finished_purge) {
      RunBlocking([this, node = info.node_id, resync = std::move(*finished_purge)] {
        FinishPurgeResync(node, resync);
        PokePeers();  // they were served nothing meanwhile
      });
    }
  });
  return Status::Ok();
}

void Replicator::Impl::RequestChanges(const std::string& node, Peer& p) {
  p.requesting = true;
  if (!Send(p.link.lock(), Lane::kControl, kChangesRequest,
            Encode(ChangesRequest{p.checkpoint, static_cast<uint32_t>(options_.changes_per_batch),
                                  selection_.subscriptions})))
    Log(4, "could not ask " + node + " for changes");
}

Status Replicator::Impl::HandlePoke(const std::string& node, const std::string& payload) {
  auto seq = DecodePoke(payload);
  if (!seq.ok()) return seq.status();
  MutexLock lock(mu_);
  auto it = peers_.find(node);
  if (it == peers_.end() || !it->second.connected) return Status::Ok();
  Peer& p = it->second;
  p.latest = std::max(p.latest, *seq);
  if (p.requesting) p.poked = true;
  else if (*seq > p.checkpoint) RequestChanges(node, p);
  return Status::Ok();
}

void Replicator::Impl::OnLocalChange(const Change& change) {
  if (change.key == kWriteAclKey) FollowReadRules();
  PokePeers();
}

void Replicator::Impl::PokePeers() {
  std::vector<std::shared_ptr<Link>> links;
  {
    MutexLock lock(mu_);
    for (auto& [node, p] : peers_)
      if (auto l = p.connected ? p.link.lock() : nullptr) links.push_back(l);
  }
  const uint64_t seq = store_.LastSeq();
  for (const auto& l : links) Send(l, Lane::kControl, kPoke, EncodePoke(seq));
}

void Replicator::Impl::RetryParked() {
  RunBlocking([this] {
    auto intents = store_.PendingIntents();
    MutexLock lock(mu_);
    CheckStalls();
    for (auto& [node, p] : peers_) {
      if (!p.connected || !p.ask_again || p.requesting) continue;
      p.ask_again = false;
      RequestChanges(node, p);
    }
    if (!intents.ok()) return;
    for (const auto& intent : *intents) {
      if (transfers_.count(TransferKey(intent.key, intent.record.Id(intent.key)))) continue;
      for (const auto& [node, p] : peers_) {
        if (p.connected) StartTransfer(intent.key, intent.record, node);
      }
    }
  });
}

Result<std::vector<std::string>> Replicator::Impl::StartResync(const ResyncScope& scope) {
  MutexLock lock(mu_);
  if (!scope.peer.empty()) {
    auto it = peers_.find(scope.peer);
    if (it == peers_.end() || !it->second.connected)
      return Status::NotFound("peer '" + scope.peer + "' is not connected");
  }
  std::vector<std::string> asked;
  for (auto& [node, p] : peers_) {
    if (!p.connected || (!scope.peer.empty() && node != scope.peer)) continue;
    asked.push_back(node);
    p.resync = Peer::Resync{scope.key_glob, ResyncReport{node}};
    p.checkpoint = 0;  // in memory: the durable one follows as batches are recorded
    if (p.requesting) p.restart = true;
    else RequestChanges(node, p);
  }
  return asked;
}

}  // namespace edgesync::replication
