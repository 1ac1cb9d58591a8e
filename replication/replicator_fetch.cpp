// Fetching versions: manifests first, then missing chunks within a window of bytes in flight,
// then apply once every file passes its SHA-256.
#include <malloc.h>

#include "replication/replicator_impl.h"

namespace edgesync::replication {

namespace {
constexpr uint64_t kTrimAfterBytes = 64u << 20;
// Received chunks are stored in 16 MiB batches, one filling while the previous one is written:
// at most 32 MiB received and not yet durable, which is what a killed receiver fetches again
// on top of the window in flight. Each batch is two new SST files; with 8 MiB batches creating
// them (ext4's inode search) cost ~7% of the receiver's CPU (docs/benchmarks.md, tenth
// session). 4 MiB batches with three written at once cost ~1.5 CPU-s more per GiB (sixth).
constexpr ChunkWriterOptions kReceiveBatches{.batch_bytes = 16u << 20, .background_writes = 1};
}  // namespace

void Replicator::Impl::StartTransfer(const std::string& key, const VersionRecord& record,
                                     const std::string& holder) {
  const std::string tk = TransferKey(key, record.Id(key));
  auto existing = transfers_.find(tk);
  if (existing != transfers_.end()) {
    Transfer& t = *existing->second;
    t.holders.insert(holder);
    // Chunks still to fetch: a new holder helps from now on.
    if (t.verifier && holder != t.source && t.schedule.HasChunksToAsk() && LinkOf(holder) &&
        t.dropped.count(holder) == 0 && t.helpers.insert(holder).second)
      PumpPeer(holder);
    return;
  }
  if (!LinkOf(holder)) return;  // the intent stays pending until a holder connects
  auto t = std::make_shared<Transfer>();
  t->key = key;
  t->record = record;
  t->priority = limits::ClassOf(priorities_, key);
  t->source = holder;
  t->holders.insert(holder);
  transfers_[tk] = t;
  if (record.tombstone) {
    RunBlocking([this, tk] { Complete(tk); });
    return;
  }
  RunBlocking([this, tk, id = record.manifest_id] {
    auto local = store_.ReadManifest(id);
    MutexLock lock(mu_);
    auto it = transfers_.find(tk);
    if (it == transfers_.end()) return;
    if (local.ok()) {
      it->second->manifest = std::move(local).value();
      it->second->have_manifest = true;
      RunBlocking([this, tk] { OnManifestReady(tk); });
    } else {
      RequestManifest(tk, *it->second);
    }
  });
}

Status Replicator::Impl::Refetch(const std::string& key, const VersionRecord& record,
                                 std::function<void(Status)> done) {
  const std::string id = record.Id(key);
  MutexLock lock(mu_);
  std::vector<std::string> holders;
  if (auto known = fleet_.find(key); known != fleet_.end()) {
    for (const auto& [node, ids] : known->second)
      if (LinkOf(node) && std::find(ids.begin(), ids.end(), id) != ids.end()) holders.push_back(node);
  }
  if (holders.empty()) return Status::NotFound("no connected peer holds " + key + " version " + id);
  for (const std::string& holder : holders) StartTransfer(key, record, holder);
  auto it = transfers_.find(TransferKey(key, id));
  if (it == transfers_.end()) return Status::NotFound("no connected peer holds " + key + " version " + id);
  it->second->on_done.push_back(std::move(done));  // Complete needs mu_: not finished yet
  return Status::Ok();
}

void Replicator::Impl::RequestManifest(const std::string& tk, Transfer& t) {
  manifest_waiters_[t.record.manifest_id].insert(tk);
  const ManifestRequest request{t.record.manifest_id, {t.key, t.record.Id(t.key)}};
  if (!Send(LinkOf(t.source), Lane::kControl, kManifestRequest, Encode(request)))
    Reroute(tk, "could not send a manifest request");
}

void Replicator::Impl::Reroute(const std::string& tk, const std::string& why) {
  auto it = transfers_.find(tk);
  if (it == transfers_.end()) return;
  auto t = it->second;
  t->holders.erase(t->source);
  std::string next;
  for (const auto& h : t->holders)
    if (LinkOf(h)) next = h;
  if (next.empty()) {
    Log(4, "fetching " + t->key + " version " + t->record.Id(t->key) + " paused (" + why +
               "); it resumes when a peer holding it connects");
    MarkUnserved(*t, why);
    for (auto& done : t->on_done) done(Status::NotFound(why));
    transfers_.erase(it);
    return;
  }
  Log(6, "fetching " + t->key + " version " + t->record.Id(t->key) + " from " + next + " instead (" + why + ")");
  t->source = next;
  t->schedule = ChunkSchedule();
  t->helpers.clear();
  t->outstanding = t->stored = 0;
  t->stored_bytes = t->total_bytes = t->full_holder_bytes = 0;
  if (t->have_manifest) RunBlocking([this, tk] { OnManifestReady(tk); });
  else RequestManifest(tk, *t);
}

Status Replicator::Impl::HandleManifest(const std::string& node, const std::string& payload) {
  auto reply = DecodeManifestReply(payload);
  if (!reply.ok()) return reply.status();
  {
    // Unsolicited (or stale) replies are dropped unread: a peer must not make us store
    // manifests nobody asked for.
    MutexLock lock(mu_);
    if (manifest_waiters_.count(reply->manifest_id) == 0) return Status::Ok();
  }
  RunBlocking([this, node, reply = std::move(reply).value()] {
    Result<Manifest> manifest = Status::NotFound("peer " + node + " does not hold manifest " + reply.manifest_id.Hex());
    if (reply.found) {
      manifest = Manifest::Decode(reply.manifest);
      if (manifest.ok() && ManifestId(manifest->Encode()) != reply.manifest_id)
        manifest = Status::Corruption("manifest from " + node + " does not match its id " + reply.manifest_id.Hex());
      if (manifest.ok()) {
        auto stored = store_.StoreManifest(*manifest);
        if (!stored.ok()) manifest = stored.status();
      }
      if (!manifest.ok()) Log(3, "manifest from " + node + " refused: " + manifest.status().ToString());
    }
    std::vector<std::string> ready;
    {
      MutexLock lock(mu_);
      auto waiters = manifest_waiters_.extract(reply.manifest_id);
      if (waiters.empty()) return;
      for (const auto& tk : waiters.mapped()) {
        auto it = transfers_.find(tk);
        if (it == transfers_.end() || it->second->source != node) continue;
        if (!manifest.ok()) {
          Reroute(tk, manifest.status().message());
          continue;
        }
        it->second->manifest = *manifest;
        it->second->have_manifest = true;
        ready.push_back(tk);
      }
    }
    for (const auto& tk : ready) OnManifestReady(tk);
  });
  return Status::Ok();
}

void Replicator::Impl::OnManifestReady(const std::string& tk) {
  std::shared_ptr<Transfer> t;
  {
    MutexLock lock(mu_);
    auto it = transfers_.find(tk);
    if (it == transfers_.end()) return;
    t = it->second;
  }
  // Our newest version of the key supplies delta bases: for each missing chunk, the chunk we
  // hold that covers the same offset of the same file.
  std::map<std::string, const FileEntry*> old_files;
  Manifest old;
  if (auto key = ObjectKey::Parse(t->key); key.ok()) {
    auto latest = store_.Latest(*key);
    if (latest.ok()) {
      auto m = store_.ReadManifest(latest->record.manifest_id);
      if (m.ok()) old = std::move(m).value();
    }
  }
  for (const auto& f : old.files) old_files[f.path] = &f;

  std::vector<ChunkRef> missing;
  std::unordered_set<ChunkId, ChunkIdHash> missing_ids, present_ids;
  std::unordered_map<ChunkId, ChunkId, ChunkIdHash> bases;
  std::set<ChunkId> seen;
  std::vector<FileEntry> held_here;
  bool fetching_all = true;
  const auto placed = PlacementFilter(t->manifest, Selection().labels);
  for (const auto& f : t->manifest.files) {
    if (placed && !placed(f)) {  // a part placed on other nodes
      fetching_all = false;
      continue;
    }
    held_here.push_back(f);
    auto previous = old_files.find(f.path);
    uint64_t offset = 0;
    size_t old_index = 0;
    uint64_t old_end = 0;
    for (const auto& c : f.chunks) {
      const uint64_t at = offset;
      offset += c.size;
      if (!seen.insert(c.id).second) continue;
      auto present = store_.chunks().Contains(c.id);
      if (present.ok() && *present) {
        present_ids.insert(c.id);
        continue;
      }
      missing.push_back(c);
      missing_ids.insert(c.id);
      if (previous == old_files.end()) continue;
      const auto& old_chunks = previous->second->chunks;
      while (old_index < old_chunks.size() && old_end + old_chunks[old_index].size <= at)
        old_end += old_chunks[old_index++].size;
      // The base is the old chunk sharing the most bytes of this chunk's range: when an edit
      // moved a boundary, the new chunk spans two old ones, and the larger share compresses.
      uint64_t best_overlap = 0;
      uint64_t start = old_end;
      for (size_t i = old_index; i < old_chunks.size() && start < offset; start += old_chunks[i++].size) {
        const uint64_t overlap = std::min<uint64_t>(start + old_chunks[i].size, offset) - std::max(start, at);
        if (overlap > best_overlap) {
          best_overlap = overlap;
          bases[c.id] = old_chunks[i].id;
        }
      }
      // The newest version may have been evicted by the disk quota (or be this very version,
      // fetched again): a base must be a chunk we still hold.
      if (auto base = bases.find(c.id); base != bases.end()) {
        auto held = store_.chunks().Contains(base->second);
        if (!held.ok() || !*held) bases.erase(base);
      }
    }
  }
  if (options_.admit_fetch) {
    uint64_t bytes = 0;
    for (const auto& c : missing) bytes += c.size;
    if (Status admitted = bytes ? options_.admit_fetch(t->key, bytes) : Status::Ok(); !admitted.ok()) {
      // Parked with its intent, as without a holder: RetryParked asks again on its timer.
      MutexLock lock(mu_);
      MarkUnserved(*t, admitted.message());
      for (auto& done : t->on_done) done(admitted);
      transfers_.erase(tk);
      return;
    }
  }
  auto verifier = std::make_shared<StreamVerifier>(store_.chunks(), std::move(held_here),
                                                   std::move(missing_ids), options_.window_bytes);
  verifier->Start();
  {
    MutexLock lock(mu_);
    if (transfers_.count(tk) == 0) return;
    IndexChunks(*t, present_ids);
    t->fetching_all = fetching_all;
    std::vector<uint32_t> positions;
    t->total_bytes = 0;
    for (const auto& c : missing) {
      positions.push_back(t->positions.empty() ? static_cast<uint32_t>(positions.size()) : t->positions.at(c.id));
      t->total_bytes += c.size;
    }
    t->schedule = ChunkSchedule(std::move(missing), std::move(positions), store_.node_id(), fetching_all);
    for (const auto& [peer, a] : t->availability)
      if (LinkOf(peer)) t->schedule.SetSwarmPeer(peer, a.held, a.fetching_all);
    t->bases = std::move(bases);
    t->verifier = std::move(verifier);
    t->outstanding = t->stored = 0;
    t->stored_bytes = t->full_holder_bytes = 0;
    t->stored_at_check = SIZE_MAX;
    t->helpers.clear();
    for (const auto& h : t->holders)
      if (h != t->source && LinkOf(h) && t->dropped.count(h) == 0) t->helpers.insert(h);
    if (t->schedule.size() > 0) {
      SendAvailability(*t, {}, true);
      PumpSources(*t);
      return;
    }
  }
  Complete(tk);
}

void Replicator::Impl::PumpPeer(const std::string& node) {
  auto pit = peers_.find(node);
  if (pit == peers_.end() || !pit->second.connected) return;
  Peer& p = pit->second;
  auto link = p.link.lock();
  if (!link) return;
  // Highest class first, older first within a class: a transfer takes what the window allows
  // before the next one is asked for anything, so an urgent version overtakes a bulk one as
  // soon as the chunks in flight make room (chunk granularity).
  for (auto& [tk, t] : FetchOrder(node)) {
    const bool full = t->IsFullHolder(node);
    while (p.inflight_bytes < options_.window_bytes && t->schedule.HasChunksToAsk()) {
      uint64_t budget = options_.window_bytes - p.inflight_bytes;
      if (full) {
        const uint64_t allowance = kSlowStartBytes + 2 * t->stored_bytes;
        if (t->full_holder_bytes >= allowance) {
          t->full_holders_waiting = true;  // StoreChunk pumps the full holders as it grows
          break;
        }
        budget = std::min(budget, allowance - t->full_holder_bytes);
      }
      budget = RequestAllowance(node, p, *link, budget);
      if (budget == 0) return;  // the receiving limit: a pump is scheduled
      const std::vector<ChunkRef> chunks = t->schedule.Take(node, full, kChunksPerRequest, budget);
      if (chunks.empty()) break;
      ChunkRequest request;
      request.priority = t->priority;
      request.version = {t->key, t->record.Id(t->key)};
      uint64_t asked = 0;
      for (const ChunkRef& c : chunks) {
        ++t->outstanding;
        if (full) t->full_holder_bytes += c.size;
        auto& req = p.requested[c.id];
        if (req.transfers.empty()) {
          req.size = c.size;
          p.inflight_bytes += c.size;
          asked += c.size;
          request.ids.push_back(c.id);
          auto base = t->bases.find(c.id);
          request.bases.push_back(base == t->bases.end() ? std::nullopt : std::optional<ChunkId>(base->second));
        }
        req.transfers.push_back(tk);
      }
      if (request.ids.empty()) continue;
      if (options_.bandwidth) {
        const transport::PeerInfo& info = link->peer();
        options_.bandwidth->Consume(limits::Direction::kRecv, {node, info.labels, info.role}, asked,
                                    std::chrono::steady_clock::now());
      }
      if (!Send(link, Lane::kControl, kChunkRequest, Encode(request))) return;
    }
  }
}

std::vector<std::pair<std::string, Replicator::Impl::Transfer*>> Replicator::Impl::FetchOrder(const std::string& node) {
  std::vector<std::pair<std::string, Transfer*>> order;
  for (auto& [tk, t] : transfers_)
    if (t->verifier && t->FetchesFrom(node) && t->schedule.HasChunksToAsk()) order.emplace_back(tk, t.get());
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return std::pair(a.second->priority, a.second->record.hlc) < std::pair(b.second->priority, b.second->record.hlc);
  });
  return order;
}

uint64_t Replicator::Impl::RequestAllowance(const std::string& node, Peer& p, const Link& link, uint64_t budget) {
  if (!options_.bandwidth || !options_.run_after) return budget;
  const transport::PeerInfo& info = link.peer();
  const limits::PeerRef peer{node, info.labels, info.role};
  const limits::Rate rate = options_.bandwidth->RateFor(limits::Direction::kRecv, peer);
  if (rate.unlimited()) return budget;
  const auto delay = options_.bandwidth->Delay(limits::Direction::kRecv, peer, std::chrono::steady_clock::now());
  if (delay.count() == 0) {
    // A tenth of a second's worth per request (at least one chunk goes): chunks arrive about as
    // fast as they are asked for, and a higher class never waits behind much.
    return std::min<uint64_t>(budget, std::max<uint64_t>(rate.bytes_per_second / 10, 1));
  }
  if (!p.pump_scheduled) {
    p.pump_scheduled = true;
    constexpr auto kMaxWait = std::chrono::milliseconds(250);  // a schedule edge may lift the limit
    const auto wait = std::min(std::chrono::ceil<std::chrono::milliseconds>(delay), kMaxWait);
    options_.run_after(wait, [weak = weak_from_this(), node] {
      auto self = weak.lock();
      if (!self) return;
      MutexLock lock(self->mu_);
      if (auto it = self->peers_.find(node); it != self->peers_.end()) it->second.pump_scheduled = false;
      self->PumpPeer(node);
    });
  }
  return 0;
}

void Replicator::Impl::UpdatePriorities(std::vector<limits::PriorityRule> rules) {
  MutexLock lock(mu_);
  priorities_ = std::move(rules);
  for (auto& [tk, t] : transfers_) t->priority = limits::ClassOf(priorities_, t->key);
}

void Replicator::Impl::PumpSources(const Transfer& t) {
  PumpFullHolders(t);
  for (const auto& peer : t.schedule.SwarmPeers())
    if (t.helpers.count(peer) == 0) PumpPeer(peer);
}

void Replicator::Impl::PumpFullHolders(const Transfer& t) {
  PumpPeer(t.source);
  for (const auto& h : t.helpers) PumpPeer(h);
}

void Replicator::Impl::HandleChunk(const std::shared_ptr<Link>& link, std::string payload) {
  RunBlocking([this, link, payload = std::move(payload)] {
    const std::string node = link->peer().node_id;
    auto chunk = DecodeChunkData(payload);
    if (!chunk.ok()) {
      Log(4, "peer " + node + " sent a bad message, closing its link: " + chunk.status().ToString());
      link->Close("protocol error: " + chunk.status().message());
      return;
    }
    std::vector<std::string> waiting;
    uint32_t expected_size = 0;
    {
      MutexLock lock(mu_);
      auto pit = peers_.find(node);
      if (pit == peers_.end()) return;
      Peer& p = pit->second;
      auto req = p.requested.find(chunk->id);
      if (req == p.requested.end()) return;  // stale: its transfer moved on
      expected_size = req->second.size;
      waiting = std::move(req->second.transfers);
      p.requested.erase(req);
      if (!chunk->found) {
        p.inflight_bytes -= std::min<size_t>(p.inflight_bytes, expected_size);
        for (const auto& tk : waiting)
          if (!DropHelper(tk, node, {chunk->id, expected_size}))
            Reroute(tk, "peer " + node + " no longer holds chunk " + chunk->id.Hex());
        PumpPeer(node);
        return;
      }
    }
    StoreChunk(node, expected_size, std::move(waiting), *chunk);  // views `payload`
  });
}

void Replicator::Impl::StoreChunk(const std::string& node, uint32_t expected_size,
                                  std::vector<std::string> waiting, const ChunkDataView& chunk) {
  std::string base, decoded;
  const bool with_base = chunk.encoding == ChunkEncoding::kZstdWithBase &&
                         store_.chunks().Get(chunk.base, &base).ok();
  const ChunkId id = chunk.id;
  auto bytes = DecodeChunkPayload(chunk, with_base ? &base : nullptr, expected_size, &decoded);
  Status s = bytes.status();
  if (s.ok() && ChunkId::Of(bytes->data(), bytes->size()) != id)
    s = Status::Corruption("chunk " + id.Hex() + " from " + node + " does not match its id");
  uint64_t through = 0;
  if (s.ok()) s = AddReceived(id, *bytes, &through);
  if (s.code() == Status::Code::kCorruption && options_.on_corrupt_data) options_.on_corrupt_data(node, s.message());
  if (s.ok()) {
    std::vector<std::shared_ptr<StreamVerifier>> verifiers;
    {
      MutexLock lock(mu_);
      for (const auto& tk : waiting)
        if (auto it = transfers_.find(tk); it != transfers_.end() && it->second->verifier)
          verifiers.push_back(it->second->verifier);
    }
    for (const auto& v : verifiers) v->Offer(id, *bytes);  // before the chunk counts as stored
  }
  std::vector<std::string> complete;
  struct Advertisement {
    std::string tk;
    std::shared_ptr<Transfer> t;
    bool flush;
  };
  std::vector<Advertisement> advertise;
  {
    MutexLock lock(mu_);
    // The window is credited back only now that the chunk is buffered for the store (or
    // refused): bytes waiting here count as in flight, which bounds the receiver's memory.
    if (auto pit = peers_.find(node); pit != peers_.end())
      pit->second.inflight_bytes -= std::min<size_t>(pit->second.inflight_bytes, expected_size);
    std::vector<std::shared_ptr<Transfer>> going;
    for (const auto& tk : waiting) {
      auto it = transfers_.find(tk);
      if (it == transfers_.end()) continue;
      Transfer& t = *it->second;
      if (!s.ok()) {
        if (!t.schedule.IsAsked(id)) continue;
        Log(3, "refusing data for " + t.key + ": " + s.ToString());
        if (!DropHelper(tk, node, {id, expected_size})) Reroute(tk, s.message());
        continue;
      }
      if (!t.schedule.Stored(id)) continue;
      --t.outstanding;
      ++t.stored;
      t.stored_bytes += expected_size;
      t.unadvertised_bytes += expected_size;
      t.received.push_back({id, through});
      if (t.stored == t.schedule.size()) complete.push_back(tk);
      else going.push_back(it->second);
    }
    PumpPeer(node);
    for (const auto& t : going) {
      // Swarm peers are pumped as their own chunks arrive; each pump scans the schedule.
      if (std::exchange(t->full_holders_waiting, false)) PumpFullHolders(*t);
      if (DueToAdvertise(*t)) {
        const bool flush = t->outstanding == 0 || std::chrono::steady_clock::now() - t->flushed_at > kAdvertiseMaxDelay;
        advertise.push_back({TransferKey(t->key, t->record.Id(t->key)), t, flush});
      }
    }
  }
  for (const auto& a : advertise) Advertise(a.tk, a.t, a.flush);
  for (const auto& tk : complete) Complete(tk);
}

bool Replicator::Impl::DropHelper(const std::string& tk, const std::string& node, const ChunkRef& chunk) {
  auto it = transfers_.find(tk);
  if (it == transfers_.end() || it->second->source == node) return false;
  Transfer& t = *it->second;
  if (t.dropped.count(node) > 0) {
    // Already dropped: this chunk left `node`'s requests before the drop took back the rest (it
    // was decoded beside the one that got `node` dropped). It is asked again elsewhere too.
    if (t.schedule.IsAsked(chunk.id)) {
      t.schedule.Return(chunk.id);
      --t.outstanding;
      PumpSources(t);
    }
    return true;
  }
  if (!t.helpers.erase(node) && !t.schedule.IsSwarmPeer(node)) return false;
  Log(4, "stopped fetching " + t.key + " version " + t.record.Id(t.key) + " from " + node);
  t.schedule.RemoveSwarmPeer(node);
  t.availability.erase(node);
  t.dropped.insert(node);
  t.holders.erase(node);  // not a full holder of this version: the other sources serve the rest
  t.schedule.Return(chunk.id);
  --t.outstanding;
  // Its other requests for this transfer are asked again elsewhere.
  if (auto pit = peers_.find(node); pit != peers_.end()) TakeBackChunks(tk, t, pit->second);
  PumpSources(t);
  return true;
}

void Replicator::Impl::TakeBackChunks(const std::string& tk, Transfer& t, Peer& helper) {
  for (auto& [id, req] : helper.requested) {
    auto waiting = std::find(req.transfers.begin(), req.transfers.end(), tk);
    if (waiting == req.transfers.end()) continue;
    req.transfers.erase(waiting);
    if (!t.schedule.IsAsked(id)) continue;
    t.schedule.Return(id);
    --t.outstanding;
  }
}

Status Replicator::Impl::AddReceived(const ChunkId& id, std::string_view bytes, uint64_t* through) {
  MutexLock lock(received_mu_);
  if (!received_) received_ = store_.chunks().NewWriter(kReceiveBatches);
  Status s = received_->Add(id, bytes);
  *through = received_->added();
  return s;
}

uint64_t Replicator::Impl::StoredReceived() {
  MutexLock lock(received_mu_);
  return received_ ? received_->Stored() : 0;
}

Status Replicator::Impl::FlushReceived() {
  MutexLock lock(received_mu_);
  return received_ ? received_->Finish() : Status::Ok();
}

void Replicator::Impl::ReleaseReceivedBuffers() {
  MutexLock lock(received_mu_);
  if (received_) received_->ReleaseBuffers();
}

void Replicator::Impl::Complete(const std::string& tk) {
  std::shared_ptr<Transfer> t;
  std::string source;  // Reroute may change source under mu_ meanwhile
  {
    MutexLock lock(mu_);
    auto it = transfers_.find(tk);
    if (it == transfers_.end()) return;
    t = it->second;
    source = t->source;
  }
  if (Status flushed = FlushReceived(); !flushed.ok())
    Log(3, "storing received chunks: " + flushed.ToString());  // applying finds them missing
  auto key = ObjectKey::Parse(t->key);
  if (t->verifier) t->verifier->Resume();  // every chunk is readable now
  const std::set<std::string> hashed = t->verifier ? t->verifier->VerifiedPaths() : std::set<std::string>{};
  Result<bool> applied =
      key.ok() ? store_.ApplyRemote(*key, t->record, t->manifest, PlacementFilter(t->manifest, Selection().labels),
                                    [&hashed](const FileEntry& f) { return hashed.count(f.path) > 0; })
               : Result<bool>(key.status());
  if (applied.ok()) {
    Log(*applied ? 6 : 7, std::string(*applied ? "applied " : "already had ") + t->key + " version " +
                              t->record.Id(t->key) + " from " + source);
    std::vector<std::function<void(Status)>> done;
    bool last_transfer = false;
    {
      MutexLock lock(mu_);
      transfers_.erase(tk);
      last_transfer = transfers_.empty();
      ClearUnserved(t->key, t->record);
      if (!t->positions.empty()) {  // peers still fetching it may take every chunk from here
        MarkHeld(*t, t->received.size());
        SendAvailability(*t, {}, false);
      }
      done.swap(t->on_done);
    }
    for (auto& d : done) d(Status::Ok());
    // Give the pages of a large transfer's buffers back to the system (edge boxes are small).
    if (last_transfer) ReleaseReceivedBuffers();
    if (t->manifest.TotalBytes() >= kTrimAfterBytes) malloc_trim(0);
    return;
  }
  if (applied.status().code() == Status::Code::kAlreadyExists) {
    // An identity clash (recorded and logged by the store): never applied, and no other peer
    // can make the same vector mean other content, so the intent goes.
    Log(3, "refused " + t->key + " version " + t->record.Id(t->key) + " from " + source + ": " +
               applied.status().message());
    if (Status dropped = store_.DropIntent(t->key, t->record.Id(t->key)); !dropped.ok())
      Log(3, "dropping the intent of a clashing version: " + dropped.ToString());
    std::vector<std::function<void(Status)>> done;
    {
      MutexLock lock(mu_);
      transfers_.erase(tk);
      ClearUnserved(t->key, t->record);
      done.swap(t->on_done);
    }
    for (auto& d : done) d(applied.status());
    OnIdentityClash(t->key, t->record);
    return;
  }
  std::vector<ChunkId> sent;  // the chunks this transfer stored, taken under mu_
  if (applied.status().code() == Status::Code::kCorruption) {
    MutexLock lock(mu_);
    for (const auto& r : t->received) sent.push_back(r.id);
    t->received.clear();
    t->advertised = 0;  // the schedule is rebuilt (Reroute), `held` with it
  }
  if (!sent.empty()) {
    // The bytes hash to their XXH3 ids but the files fail SHA-256: never trust those chunks.
    Log(3, "version " + t->record.Id(t->key) + " of " + t->key + " from " + source +
               " failed verification (" + applied.status().message() + "); evicting " +
               std::to_string(sent.size()) + " chunks it sent");
    if (options_.on_corrupt_data) options_.on_corrupt_data(source, applied.status().message());
    store_.chunks().Erase(sent);
  } else {
    Log(4, "applying " + t->key + " version " + t->record.Id(t->key) + ": " + applied.status().ToString());
  }
  MutexLock lock(mu_);
  t->received.clear();
  if (applied.status().code() == Status::Code::kFailedPrecondition) {
    // A chunk we counted on went away (collected meanwhile): fetch again from the same source.
    t->holders.insert(t->source);
    RunBlocking([this, tk] { OnManifestReady(tk); });
    return;
  }
  Reroute(tk, applied.status().message());
}

}  // namespace edgesync::replication
