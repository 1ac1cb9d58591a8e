// Replicator::Impl: the replicator's state and its message handling. Internal to replication/;
// fetching lives in replicator_fetch.cpp, the rest in replicator.cpp.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "replication/chunk_codec.h"
#include "replication/message_types.h"
#include "replication/messages.h"
#include "replication/placement.h"
#include "replication/replicator.h"
#include "replication/stream_verifier.h"
#include "transport/link.h"

namespace edgesync::replication {

using transport::Lane;
using transport::Link;

inline uint64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

inline std::string TransferKey(const std::string& key, const std::string& version_id) {
  return key + '\0' + version_id;
}

inline constexpr size_t kChunksPerRequest = 64;
// Serving a peer's requests: at most this many run at once per peer, the rest wait in its queue
// up to a bound; a peer exceeding it is flooding and loses its link (an honest peer keeps a few
// hundred requests outstanding at most: its manifest and chunk requests are windowed).
inline constexpr size_t kServingPerPeer = 4;
inline constexpr size_t kMaxQueuedRequests = 4096;
inline constexpr size_t kMaxQueuedRequestBytes = 16u << 20;

// All state lives here, shared with the blocking tasks it posts (they hold a shared_ptr, so the
// state outlives any task even if the Replicator is destroyed first).
class Replicator::Impl : public std::enable_shared_from_this<Replicator::Impl> {
 public:
  Impl(Store& store, ReplicatorOptions options) : store_(store), options_(std::move(options)) {
    selection_ = {options_.subscriptions, options_.labels};
  }

  // A peer's whole log being read because it purged deleted keys this node had not read of.
  struct PurgeResync {
    PurgeNotice notice;
    std::vector<std::string> subscriptions;  // the peer's: keys it does not want are not news
    std::set<std::string> seen;              // keys its log holds
  };

  // One peer node, connected or remembered.
  struct Peer {
    std::weak_ptr<Link> link;
    std::string epoch, address, role;
    std::map<std::string, std::string> labels;  // from its hello
    bool connected = false;
    bool requesting = false;  // a ChangesRequest is outstanding or its batch is being applied
    bool ask_again = false;   // its last batch could not be recorded (e.g. disk full)
    bool poked = false;       // the peer's log moved while we were requesting
    bool restart = false;     // resync: ignore the batch in flight, ask from zero
    // Set while reading its whole log after it told of a purge (see StartPurgeResync).
    std::optional<PurgeResync> purge_resync;
    // The latest resync with this peer: its key glob and what it found so far.
    struct Resync {
      std::string key_glob;
      ResyncReport report;
    };
    std::optional<Resync> resync;
    uint64_t checkpoint = 0, latest = 0, last_seen_ms = 0;
    size_t inflight_bytes = 0;
    struct Requested {
      uint32_t size = 0;
      std::vector<std::string> transfers;  // transfer keys waiting for this chunk
    };
    std::unordered_map<ChunkId, Requested, ChunkIdHash> requested;
    // Its requests we serve (see kServingPerPeer).
    std::deque<std::pair<std::function<void()>, size_t>> serve_queue;  // work, request bytes
    size_t serve_queued_bytes = 0;
    size_t serving = 0;
  };

  // One version being fetched.
  struct Transfer {
    std::string key;
    VersionRecord record;
    std::string source;            // peer node id we fetch from
    std::set<std::string> holders; // peers that announced it
    bool have_manifest = false;
    Manifest manifest;
    std::vector<ChunkRef> missing;
    size_t next = 0;         // index into missing of the next chunk to request
    size_t outstanding = 0;  // requested, not yet stored
    size_t stored = 0;
    uint64_t stored_bytes = 0;  // sizes of the `stored` chunks
    std::vector<ChunkId> received;  // stored by this transfer; evicted if the version fails
    // Missing chunk -> the chunk we hold at the same offset of the same file (delta base).
    std::unordered_map<ChunkId, ChunkId, ChunkIdHash> bases;
    std::shared_ptr<StreamVerifier> verifier;  // hashes files as chunks arrive; set with `missing`
    // Other connected holders fetching its chunks alongside `source`, each within its own
    // window (faster peers take more), and chunks to ask again because a helper lacked them,
    // sent bad bytes or went away. Set with `missing`; cleared when the source changes.
    std::set<std::string> helpers;
    std::deque<ChunkRef> retry;
    // Chunks handed out to some source and not stored yet. A chunk counts for the transfer only
    // when it is in here, whichever peer delivers it: a late answer from a helper that went
    // away counts once, and an answer to a request made before the source changed not at all.
    std::unordered_set<ChunkId, ChunkIdHash> asked;
    bool FetchesFrom(const std::string& node) const { return source == node || helpers.count(node) > 0; }
    bool HasChunksToAsk() const { return next < missing.size() || !retry.empty(); }
  };

  // ---- plumbing

  void Log(int level, const std::string& msg) {
    if (options_.log) options_.log(level, msg);
  }

  void RunBlocking(std::function<void()> fn) {
    {
      std::lock_guard lock(tasks_mu_);
      if (stopping_) return;
      ++tasks_;
    }
    auto self = shared_from_this();
    options_.run_blocking([self, fn = std::move(fn)]() mutable {
      fn();
      // Its captures (links among them) go before Shutdown can see the task done: a link
      // released after the transport's io_context is gone crashes in Beast's stream destructor.
      fn = nullptr;
      std::lock_guard lock(self->tasks_mu_);
      if (--self->tasks_ == 0) self->tasks_cv_.notify_all();
    });
  }

  void Shutdown() {
    std::unique_lock lock(tasks_mu_);
    stopping_ = true;
    tasks_cv_.wait(lock, [&] { return tasks_ == 0; });
    lock.unlock();  // late RunBlocking calls see stopping_ and return; they need not wait for the write below
    // Chunks received but still buffered are stored, not dropped: a restart then fetches only
    // what never arrived (they are XXH3-checked chunks; nothing becomes visible before its
    // version is applied). A kill loses the buffer; the versions' intents fetch it again.
    std::lock_guard received_lock(received_mu_);
    if (received_) {
      if (Status s = received_->Finish(); !s.ok())
        Log(3, "storing received chunks at shutdown: " + s.ToString());
      received_.reset();
    }
  }

  static bool Send(const std::shared_ptr<Link>& link, Lane lane, uint32_t type, std::string payload) {
    return link && link->Send(lane, type, std::move(payload));
  }

  std::shared_ptr<Link> LinkOf(const std::string& node) {  // REQUIRES: mu_ held
    auto it = peers_.find(node);
    return it == peers_.end() || !it->second.connected ? nullptr : it->second.link.lock();
  }

  // ---- link lifecycle

  void OnLinkUp(Link& link) {
    auto shared = link.shared_from_this();
    const auto info = link.peer();
    Log(6, "peer " + info.node_id + " up at " + info.address + " (role " + info.role + ")");
    {
      // Registered at once, so that pokes from now on reach it and our own commits poke it;
      // `requesting` stays set until the first batch is applied.
      std::lock_guard lock(mu_);
      Peer& p = peers_[info.node_id];
      p = Peer{};
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
      std::lock_guard lock(mu_);
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

  void OnLinkDown(Link& link, const std::string& reason) {
    const std::string node = link.peer().node_id;
    Log(6, "peer " + node + " down: " + reason);
    std::lock_guard lock(mu_);
    auto it = peers_.find(node);
    if (it == peers_.end() || it->second.link.lock().get() != &link) return;  // a newer link replaced it
    Peer& p = it->second;
    p.connected = false;
    p.link.reset();
    p.requesting = false;
    if (p.purge_resync) {
      // Not finished: it is not kept, or this node would serve its peers nothing until this one
      // returns. The peer's next notice starts it again.
      Log(4, "comparing everything with " + node + " after its purge was cut short by the link going down");
      p.purge_resync.reset();
    }
    // Chunks a helper was fetching go back to the transfer's other sources.
    std::set<std::string> resumed;
    std::vector<std::string> affected;
    for (auto& [tk, t] : transfers_) {
      if (t->source == node) affected.push_back(tk);
      else if (t->helpers.erase(node)) {
        TakeBackChunks(tk, *t, p);
        resumed.insert(t->source);
      }
    }
    p.requested.clear();
    p.inflight_bytes = 0;
    p.serve_queue.clear();
    p.serve_queued_bytes = 0;
    for (const auto& tk : affected) Reroute(tk, "peer " + node + " went away");
    for (const auto& source : resumed) PumpPeer(source);
  }

  // ---- messages

  void OnMessage(Link& link, Lane, uint32_t type, std::string payload) {
    auto shared = link.shared_from_this();
    const std::string node = link.peer().node_id;
    {
      std::lock_guard lock(mu_);
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
      default: s = Status::InvalidArgument("unknown message type " + std::to_string(type));
    }
    if (!s.ok()) {
      Log(4, "peer " + node + " sent a bad message, closing its link: " + s.ToString());
      link.Close("protocol error: " + s.message());
    }
  }

  Status ServeChanges(const std::shared_ptr<Link>& link, const std::string& payload) {
    auto req = DecodeChangesRequest(payload);
    if (!req.ok()) return req.status();
    size_t limit = std::clamp<size_t>(req->limit ? req->limit : options_.changes_per_batch, 1, kMaxChangesPerBatch);
    uint64_t since = req->since;
    return ServeBlocking(link, payload.size(), [this, link, since, limit, wanted = std::move(req->subscriptions)] {
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
      for (auto& c : *changes)
        if (Subscribed(wanted, c.key)) batch.changes.push_back({c.key, std::move(c.heads)});
      Send(link, Lane::kControl, kChangesBatch, Encode(batch));
    });
  }

  // Evidence that this store is an older copy of itself: a new incarnation (new epoch, new
  // name in vectors), then every link restarts so that each peer sees the new epoch in Hello
  // and reads this node's log from zero (its checkpoint in the old log may skip reused
  // positions).
  void StartNewIncarnation(const std::string& why) {
    if (Status s = store_.Reincarnate(why); !s.ok()) {
      Log(3, "starting a new store incarnation: " + s.ToString());
      return;
    }
    std::vector<std::shared_ptr<Link>> links;
    {
      std::lock_guard lock(mu_);
      for (const auto& [node, p] : peers_)
        if (auto l = p.link.lock()) links.push_back(std::move(l));
    }
    for (const auto& l : links) l->Close("the store started a new incarnation");
  }

  // After an identity clash: when the refused version is this node's own, its store issued a
  // counter twice, so it is an older copy of itself.
  void OnIdentityClash(const std::string& key, const VersionRecord& refused) {
    if (refused.author != store_.node_id()) return;
    StartNewIncarnation("a peer holds version " + refused.Id(key) + " of " + key + " written here with the vector " +
                        refused.vector.ToString() + ", which this store has issued again: it was restored from an older copy");
  }

  // Records how far `reader` has read this log, and says whether it may hold keys this node
  // deleted and purged: it read this log before, and not as far as the last purge.
  std::optional<PurgeNotice> PurgeNoticeFor(const transport::PeerInfo& reader, uint64_t since) {
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

  bool PurgeResyncing() {
    std::lock_guard lock(mu_);
    for (const auto& [node, p] : peers_)
      if (p.purge_resync) return true;
    return false;
  }

  // The end of a purge resync with `node`: every key this node holds that the peer has seen
  // from it (its entry is within what the peer read of this log), that the peer would hold
  // (its subscriptions), that is older than the peer's purge horizon, and that is absent from
  // the peer's whole log was deleted there and purged: drop it too. Keys written here since
  // the peer last read this log are kept: they are news, not leftovers.
  void FinishPurgeResync(const std::string& node, const PurgeResync& resync) {
    const auto selection = Selection();
    auto purged = store_.PurgeKeys(
        [&](const std::string& key, uint64_t seq, const std::vector<VersionRecord>& heads) {
          if (resync.seen.count(key) || seq > resync.notice.your_log_read_upto) return false;
          if (!Subscribed(resync.subscriptions, key) || !Subscribed(selection.subscriptions, key)) return false;
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

  Status HandleChanges(const std::shared_ptr<Link>& link, const std::string& payload) {
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
        std::lock_guard lock(mu_);
        fleet_[change.key][info.node_id] = std::move(ids);
      }
      Status s = store_.RecordIntents(info.node_id, info.store_epoch, batch.upto, intents);
      std::lock_guard lock(mu_);
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

  // A peer says it purged deleted keys this node had not read of: forget the checkpoint, read
  // its whole log, then drop what it deleted (FinishPurgeResync). False when one is running.
  bool StartPurgeResync(const std::shared_ptr<Link>& link, const transport::PeerInfo& info,
                        const PurgeNotice& notice) {
    std::lock_guard lock(mu_);
    auto it = peers_.find(info.node_id);
    if (it == peers_.end() || it->second.link.lock() != link) return true;
    Peer& p = it->second;
    if (p.purge_resync) return false;
    Log(4, "peer " + info.node_id + " purged deleted keys this node had not heard of (offline longer "
           "than its sync.max_offline?): comparing everything with it");
    p.purge_resync = PurgeResync{notice, info.subscriptions, {}};
    p.requesting = false;
    p.checkpoint = 0;
    RequestChanges(info.node_id, p);
    return true;
  }

  void RequestChanges(const std::string& node, Peer& p) {  // REQUIRES: mu_ held
    p.requesting = true;
    if (!Send(p.link.lock(), Lane::kControl, kChangesRequest,
              Encode(ChangesRequest{p.checkpoint, static_cast<uint32_t>(options_.changes_per_batch),
                                    selection_.subscriptions})))
      Log(4, "could not ask " + node + " for changes");
  }

  Status HandlePoke(const std::string& node, const std::string& payload) {
    auto seq = DecodePoke(payload);
    if (!seq.ok()) return seq.status();
    std::lock_guard lock(mu_);
    auto it = peers_.find(node);
    if (it == peers_.end() || !it->second.connected) return Status::Ok();
    Peer& p = it->second;
    p.latest = std::max(p.latest, *seq);
    if (p.requesting) p.poked = true;
    else if (*seq > p.checkpoint) RequestChanges(node, p);
    return Status::Ok();
  }

  void OnLocalChange(const Change&) { PokePeers(); }

  // Tells every connected peer where this node's log is; they ask for what they lack.
  void PokePeers() {
    std::vector<std::shared_ptr<Link>> links;
    {
      std::lock_guard lock(mu_);
      for (auto& [node, p] : peers_)
        if (auto l = p.connected ? p.link.lock() : nullptr) links.push_back(l);
    }
    const uint64_t seq = store_.LastSeq();
    for (const auto& l : links) Send(l, Lane::kControl, kPoke, EncodePoke(seq));
  }

  Status ServeManifest(const std::shared_ptr<Link>& link, const std::string& payload) {
    auto id = DecodeManifestRequest(payload);
    if (!id.ok()) return id.status();
    return ServeBlocking(link, payload.size(), [this, link, id = *id] {
      ManifestReply reply{id, false, {}};
      auto m = store_.ReadManifest(id);
      if (m.ok()) {
        reply.found = true;
        reply.manifest = m->Encode();
      }
      Send(link, Lane::kControl, kManifestReply, Encode(reply));
    });
  }

  Status ServeChunks(const std::shared_ptr<Link>& link, const std::string& payload) {
    auto req = DecodeChunkRequest(payload);
    if (!req.ok()) return req.status();
    return ServeBlocking(link, payload.size(), [this, link, req = std::move(req).value()] {
      std::string base;
      for (size_t i = 0; i < req.ids.size(); ++i) {
        const ChunkId& id = req.ids[i];
        ChunkData reply{id, false, {}};
        std::string data;
        Status s = store_.chunks().Get(id, &data);
        reply.found = s.ok();
        if (s.ok()) {
          const std::optional<ChunkId> base_id = i < req.bases.size() ? req.bases[i] : std::nullopt;
          const bool have_base = base_id && store_.chunks().Get(*base_id, &base).ok();
          EncodeChunkPayload(std::move(data), have_base ? &base : nullptr, have_base ? &*base_id : nullptr,
                             &reply);
        } else if (!s.IsNotFound()) {
          Log(3, "serving chunk " + id.Hex() + ": " + s.ToString());
        }
        if (!Send(link, Lane::kBulk, kChunkData, Encode(std::move(reply)))) return;
      }
    });
  }

  // Queues `work` serving one request of the link's peer (`bytes`: its size), running at most
  // kServingPerPeer of them at once; a peer whose queue is full is flooding.
  Status ServeBlocking(const std::shared_ptr<Link>& link, size_t bytes, std::function<void()> work) {
    const std::string node = link->peer().node_id;
    std::lock_guard lock(mu_);
    auto it = peers_.find(node);
    if (it == peers_.end() || it->second.link.lock() != link) return Status::Ok();  // a stale link
    Peer& p = it->second;
    if (p.serve_queue.size() >= kMaxQueuedRequests || p.serve_queued_bytes + bytes > kMaxQueuedRequestBytes)
      return Status::Aborted("too many requests in flight (" + std::to_string(p.serve_queue.size()) +
                             " queued, " + std::to_string(p.serve_queued_bytes) + " bytes)");
    p.serve_queue.emplace_back(std::move(work), bytes);
    p.serve_queued_bytes += bytes;
    PumpServing(node, p);
    return Status::Ok();
  }

  void PumpServing(const std::string& node, Peer& p) {  // REQUIRES: mu_ held
    while (p.serving < kServingPerPeer && !p.serve_queue.empty()) {
      auto [work, bytes] = std::move(p.serve_queue.front());
      p.serve_queue.pop_front();
      p.serve_queued_bytes -= std::min(p.serve_queued_bytes, bytes);
      ++p.serving;
      RunBlocking([this, node, work = std::move(work)] {
        work();
        std::lock_guard lock(mu_);
        auto it = peers_.find(node);
        if (it == peers_.end()) return;
        if (it->second.serving > 0) --it->second.serving;  // 0: the peer reconnected meanwhile
        PumpServing(node, it->second);
      });
    }
  }

  // ---- fetching (replicator_fetch.cpp)

  // REQUIRES (these three): mu_ held.
  void StartTransfer(const std::string& key, const VersionRecord& record, const std::string& holder);
  // Drops the transfer's source and continues from another holder, or parks the transfer (its
  // intent stays durable) until a holder connects.
  void Reroute(const std::string& tk, const std::string& why);
  void PumpPeer(const std::string& node);
  // `node` is a helper of transfer `tk` that failed to deliver `chunk`: stops using it for that
  // transfer and asks its chunks again from the others. False when `node` is not a helper (the
  // caller reroutes the transfer). REQUIRES: mu_ held.
  bool DropHelper(const std::string& tk, const std::string& node, const ChunkRef& chunk);
  // Puts the chunks of transfer `tk` that `helper` was asked for back on its retry queue; their
  // late answers no longer count for it. REQUIRES: mu_ held.
  void TakeBackChunks(const std::string& tk, Transfer& t, Peer& helper);
  void RequestManifest(const std::string& tk, Transfer& t);

  Status HandleManifest(const std::string& node, const std::string& payload);
  // Decodes, verifies and buffers a chunk off the network thread; a malformed one closes the link.
  void HandleChunk(const std::shared_ptr<Link>& link, std::string payload);
  void StoreChunk(const std::string& node, uint32_t expected_size, std::vector<std::string> waiting,
                  ChunkData chunk);
  // Received chunks are written in large sorted batches (SST ingestion, as a local put does)
  // instead of one WAL + memtable write each; Complete() flushes before applying a version.
  Status AddReceived(const ChunkId& id, std::string_view bytes);
  Status FlushReceived();
  // Blocking context, mu_ not held.
  void OnManifestReady(const std::string& tk);
  void Complete(const std::string& tk);

  // Parked transfers (every holder dropped them, e.g. because a full disk refused their data)
  // start again from every connected peer, as when a peer connects; peers whose last batch
  // could not be recorded are asked again.
  void RetryParked() {
    RunBlocking([this] {
      auto intents = store_.PendingIntents();
      std::lock_guard lock(mu_);
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

  // ---- status

  std::vector<PeerStatus> Peers() {
    std::lock_guard lock(mu_);
    std::vector<PeerStatus> out;
    for (const auto& [node, p] : peers_) {
      PeerStatus s{node, p.address, p.role, p.labels, p.connected, p.last_seen_ms, 0, 0, p.checkpoint, p.latest, 0};
      if (auto l = p.connected ? p.link.lock() : nullptr) {
        auto st = l->stats();
        s.bytes_in = st.bytes_received;
        s.bytes_out = st.bytes_sent;
        s.clock_skew_ms = l->peer().clock_skew_ms;
      }
      for (const auto& [tk, t] : transfers_)
        if (t->source == node) ++s.transfers;
      out.push_back(std::move(s));
    }
    return out;
  }

  Result<std::vector<std::string>> StartResync(const ResyncScope& scope) {
    std::lock_guard lock(mu_);
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

  std::vector<ResyncReport> ResyncReports(const std::vector<std::string>& nodes) {
    std::lock_guard lock(mu_);
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

  std::vector<KeyLocation> Where(const std::string& key) {
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
    std::lock_guard lock(mu_);
    auto it = fleet_.find(key);
    if (it != fleet_.end())
      for (const auto& [node, ids] : it->second) out.push_back({node, ids, false});
    return out;
  }

  std::vector<PeerHolding> Holding(const std::string& key, const std::string& version_id) {
    std::lock_guard lock(mu_);
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

  // ---- versions no connected peer can serve

  struct UnservedEntry {
    UnservedVersion report;
    VersionRecord record;
  };

  void MarkUnserved(const Transfer& t, const std::string& why) {  // REQUIRES: mu_ held
    auto& u = unserved_[TransferKey(t.key, t.record.Id(t.key))];
    if (u.report.since_ms == 0) u.report.since_ms = NowMs();
    u.report.key = t.key;
    u.report.version_id = t.record.Id(t.key);
    u.report.reason = "wanted by this node, no connected peer holds it (" + why + ")";
    u.record = t.record;
  }

  // `applied` landed: forget unserved versions of its key that it equals or supersedes.
  void ClearUnserved(const std::string& key, const VersionRecord& applied) {  // REQUIRES: mu_ held
    std::erase_if(unserved_, [&](const auto& entry) {
      if (entry.second.report.key != key) return false;
      auto order = applied.vector.Compare(entry.second.record.vector);
      return order == VectorOrder::kEqual || order == VectorOrder::kDominates;
    });
  }

  std::vector<UnservedVersion> Unserved() {
    std::lock_guard lock(mu_);
    std::vector<UnservedVersion> out;
    for (const auto& [tk, u] : unserved_) out.push_back(u.report);
    return out;
  }

  // ---- selection and GC

  // GC roots of a retained version: everything for versions written here; for replicated
  // ones, nothing of keys no longer subscribed and only the parts placed on this node.
  Store::FileFilter GcRoots(const std::string& key, const VersionRecord& record, const Manifest& manifest) {
    if (record.author == store_.node_id()) return {};
    const auto selection = Selection();
    if (!Subscribed(selection.subscriptions, key)) return [](const FileEntry&) { return false; };
    return PlacementFilter(manifest, selection.labels);
  }

  // Pending versions of keys outside the subscriptions are dropped with their transfers.
  Status DropUnsubscribed() {
    auto intents = store_.PendingIntents();
    if (!intents.ok()) return intents.status();
    const auto selection = Selection();
    for (const auto& intent : *intents) {
      if (Subscribed(selection.subscriptions, intent.key)) continue;
      EDGESYNC_RETURN_IF_ERROR(store_.DropIntent(intent.key, intent.record.Id(intent.key)));
      std::lock_guard lock(mu_);
      transfers_.erase(TransferKey(intent.key, intent.record.Id(intent.key)));
      unserved_.erase(TransferKey(intent.key, intent.record.Id(intent.key)));
    }
    return Status::Ok();
  }

  size_t ActiveTransfers() {
    std::lock_guard lock(mu_);
    return transfers_.size();
  }

  std::vector<TransferStatus> Transfers() {
    std::lock_guard lock(mu_);
    std::vector<TransferStatus> out;
    out.reserve(transfers_.size());
    for (const auto& [tk, t] : transfers_) {
      TransferStatus s{t->key, t->record.Id(t->key), t->source, {t->holders.begin(), t->holders.end()},
                       t->have_manifest, 0, t->stored_bytes, {t->helpers.begin(), t->helpers.end()}};
      for (const auto& c : t->missing) s.total_bytes += c.size;
      out.push_back(std::move(s));
    }
    return out;
  }

  struct SelectionState {
    std::vector<std::string> subscriptions;
    std::map<std::string, std::string> labels;
  };
  SelectionState Selection() {
    std::lock_guard lock(mu_);
    return selection_;
  }
  // Returns true when the new subscriptions may want keys the old ones did not.
  bool SetSelection(std::vector<std::string> subscriptions, std::map<std::string, std::string> labels) {
    std::lock_guard lock(mu_);
    bool widened = !selection_.subscriptions.empty() &&
                   (subscriptions.empty() ||
                    std::any_of(subscriptions.begin(), subscriptions.end(), [&](const std::string& g) {
                      return std::find(selection_.subscriptions.begin(), selection_.subscriptions.end(), g) ==
                             selection_.subscriptions.end();
                    }));
    widened = widened || labels != selection_.labels;  // other parts may now be placed here
    selection_ = {std::move(subscriptions), std::move(labels)};
    return widened;
  }

  Store& store_;
  ReplicatorOptions options_;

  std::mutex mu_;
  SelectionState selection_;                                            // guarded by mu_
  std::map<std::string, Peer> peers_;                                   // guarded by mu_
  std::map<std::string, std::shared_ptr<Transfer>> transfers_;          // guarded by mu_
  std::map<ChunkId, std::set<std::string>> manifest_waiters_;           // guarded by mu_
  std::map<std::string, std::map<std::string, std::vector<std::string>>> fleet_;  // guarded by mu_
  std::map<std::string, UnservedEntry> unserved_;  // by transfer key; guarded by mu_

  std::mutex received_mu_;
  std::unique_ptr<ChunkWriter> received_;  // guarded by received_mu_; created on first use

  std::mutex tasks_mu_;
  std::condition_variable tasks_cv_;
  size_t tasks_ = 0;       // guarded by tasks_mu_
  bool stopping_ = false;  // guarded by tasks_mu_
};

}  // namespace edgesync::replication
