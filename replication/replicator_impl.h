// Replicator::Impl: the replicator's state and its message handling. Internal to replication/.
// Declarations only; the bodies are split by concern:
//   replicator_feed.cpp     links up and down, task plumbing, the change feed (serving and
//                           applying changes batches, pokes, resyncs, purge resyncs, incarnations)
//   replicator_serving.cpp  a peer's manifest and chunk requests and its bounded serving queue
//   replicator_fetch.cpp    fetching versions: manifests, windowed chunk requests, apply
//   replicator_swarm.cpp    partial holders: telling peers what a fetch holds, hearing theirs
//   replicator_read_rules.cpp  what a peer may be sent under read rules (meta/acl)
//   replicator_views.cpp    peers, where, holding, transfers, unserved versions, the selection
//   replicator.cpp          the public Replicator forwarding to this class
//
// Threads. OnLinkUp, OnLinkDown and OnMessage run on the transport's network threads and never
// block: they decode, update state under `mu_` and post anything that touches the store to
// RunBlocking (options_.run_blocking's pool). Store calls happen on those blocking tasks, on
// the caller's thread for the views and Replicator::UpdateSelection, and in OnLocalChange /
// GcRoots, which the store calls from a committing thread or a GC sweep.
//
// Locking. `mu_` guards the selection, the peers, the transfers (the map and every field of
// each Transfer, except that a Transfer's key, record and manifest are not written once the
// manifest is ready, so blocking tasks read them through their shared_ptr without it), the
// manifest waiters, the fleet map, the unserved versions and the read rules last seen. It is never held across a call
// into the store (the store calls GcRoots with its own locks held, and GcRoots takes `mu_`)
// nor across a call into a link that may block; Link::Send only queues, so it is called with
// `mu_` held. `received_mu_` guards the buffered chunk writer and is never taken with `mu_`
// held. `chunk_sets_mu_` guards the cache of manifests' chunk sets (read rules) and is taken
// alone, never with another lock held or inside it. `tasks_mu_` guards the count of running blocking tasks and the stopping flag; it is
// the innermost lock (RunBlocking takes it with `mu_` held). The members and methods say so
// with base/thread_annotations.h, which clang checks: GUARDED_BY(mu) members are touched only
// with `mu` held, REQUIRES(mu) methods are called with it held, EXCLUDES(mu) methods take it
// themselves. A Transfer's fields are guarded by `mu_` as well, which the annotations cannot
// say (a nested struct cannot name its owner's mutex).
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "replication/chunk_codec.h"
#include "replication/chunk_schedule.h"
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
// A transfer may ask full holders for this much before it has stored anything (see
// Transfer::full_holder_bytes).
inline constexpr uint64_t kSlowStartBytes = 1u << 20;
// A fetching node tells its peers what it holds after storing this much more of a version, and
// whenever it has nothing left in flight.
inline constexpr uint64_t kAdvertiseBytes = 4u << 20;
// A fetching node writes its buffered chunks to advertise them at least this often.
inline constexpr std::chrono::seconds kAdvertiseMaxDelay{2};
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
  // A peer's whole log being read because it purged deleted keys this node had not read of.
  struct PurgeResync {
    PurgeNotice notice;
    std::vector<std::string> subscriptions;  // the peer's: keys it does not want are not news
    std::set<std::string> seen;              // keys its log holds
    transport::PeerInfo peer;                // read rules: keys it may not read never reached it
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
    // Bytes of its earlier links since this daemon started (the current link counts its own).
    uint64_t bytes_in_before = 0, bytes_out_before = 0;
    struct Requested {
      uint32_t size = 0;
      std::vector<std::string> transfers;  // transfer keys waiting for this chunk
    };
    std::unordered_map<ChunkId, Requested, ChunkIdHash> requested;
    bool pump_scheduled = false;  // the receiving limit holds requests back; a pump is due
    // Its requests we serve (see kServingPerPeer), one queue per priority class: urgent first,
    // then normal, then bulk, each in arrival order; changes and manifests
    // count as urgent (metadata stays current on a saturated link).
    struct Queued {
      std::function<void()> work;
      size_t bytes = 0;
    };
    std::array<std::deque<Queued>, 3> serve_queue;
    size_t serve_queued = 0;  // requests in serve_queue
    bool serve_paused = false;  // the sending limit: its bulk queue is full enough for now
    size_t serve_queued_bytes = 0;
    size_t serving = 0;
  };

  // One version being fetched.
  struct Transfer {
    std::string key;
    VersionRecord record;
    // sync.priorities: higher classes are asked for first; within a class, older versions.
    limits::PriorityClass priority = limits::PriorityClass::kNormal;
    std::string source;            // peer node id we fetch from
    std::set<std::string> holders; // peers that announced it
    bool have_manifest = false;
    Manifest manifest;
    // The chunks to fetch and which source to ask for each (chunk_schedule.h). Set with
    // `verifier` when the manifest is ready; rebuilt when the source changes.
    ChunkSchedule schedule;
    uint64_t total_bytes = 0;   // sizes of the chunks to fetch
    size_t outstanding = 0;     // requested, not yet stored
    size_t stored = 0;
    uint64_t stored_bytes = 0;  // sizes of the `stored` chunks
    // Asked of full holders since the schedule was set: at most kSlowStartBytes more than twice
    // `stored_bytes`, so that nodes starting together learn of one another (their first
    // availability) before each asks a full holder for a whole window of chunks.
    uint64_t full_holder_bytes = 0;
    bool full_holders_waiting = false;  // a full holder had room the slow start withheld
    // Stored by this transfer (evicted if the version fails), each with the receive writer's
    // added() once it was added: readable from the store when the writer's Stored() reaches it.
    struct ReceivedChunk {
      ChunkId id;
      uint64_t through;
    };
    std::vector<ReceivedChunk> received;
    // Missing chunk -> the chunk we hold at the same offset of the same file (delta base).
    std::unordered_map<ChunkId, ChunkId, ChunkIdHash> bases;
    std::shared_ptr<StreamVerifier> verifier;  // hashes files as chunks arrive; set with `schedule`
    // Other connected full holders fetching its chunks alongside `source`, each within its own
    // window (faster peers take more). Set with `schedule`; cleared when the source changes.
    std::set<std::string> helpers;

    // Partial holders (replicator_swarm.cpp). Empty `positions`: not advertised (a manifest with
    // more than kMaxAvailabilityChunks chunks).
    std::unordered_map<ChunkId, uint32_t, ChunkIdHash> positions;  // distinct chunks, manifest order
    bool fetching_all = false;  // no placement narrows what this node fetches
    std::string held;           // this node's availability bits: chunks readable from its store
    size_t advertised = 0;      // received[0, advertised) are in `held`
    uint64_t unadvertised_bytes = 0;
    std::chrono::steady_clock::time_point flushed_at{};  // the last Advertise that wrote the batch
    // Swarm peers' latest availability, replayed into a rebuilt schedule. A peer's first one
    // is answered with ours.
    std::map<std::string, ChunkAvailability> availability;
    std::set<std::string> dropped;  // failed this version: their availability is ignored
    size_t stored_at_check = 0;     // `stored` at the last stall check (RetryParked)
    // Refetch callers, told once how the transfer ended (quick; must not call the replicator).
    std::vector<std::function<void(Status)>> on_done;

    bool FetchesFrom(const std::string& node) const {
      return source == node || helpers.count(node) > 0 || schedule.IsSwarmPeer(node);
    }
    // A source that holds every chunk and tells nothing of what it holds.
    bool IsFullHolder(const std::string& node) const {
      return (source == node || helpers.count(node) > 0) && !schedule.IsSwarmPeer(node);
    }
  };

  // A version wanted here that no connected peer can serve.
  struct UnservedEntry {
    UnservedVersion report;
    VersionRecord record;
  };

  // What this node wants: key globs it subscribes to, and its labels (placement).
  struct SelectionState {
    std::vector<std::string> subscriptions;
    std::map<std::string, std::string> labels;
  };

  Impl(Store& store, ReplicatorOptions options);

  // ---- plumbing (replicator_feed.cpp)

  void Log(int level, const std::string& msg) {
    if (options_.log) options_.log(level, msg);
  }
  // Runs `fn` on a blocking thread unless shutting down; Shutdown waits for every such task.
  void RunBlocking(std::function<void()> fn) EXCLUDES(tasks_mu_);
  // Waits for the running blocking tasks, refuses new ones, and stores buffered chunks.
  void Shutdown() EXCLUDES(tasks_mu_, received_mu_);
  static bool Send(const std::shared_ptr<Link>& link, Lane lane, uint32_t type, std::string payload) {
    return link && link->Send(lane, type, std::move(payload));
  }
  // The live link of a connected peer, or null.
  std::shared_ptr<Link> LinkOf(const std::string& node) REQUIRES(mu_);

  // ---- links and the change feed (replicator_feed.cpp); network threads

  void OnLinkUp(Link& link) EXCLUDES(mu_);
  void OnLinkDown(Link& link, const std::string& reason) EXCLUDES(mu_);
  // Dispatches by type; a message that fails to decode closes the link.
  void OnMessage(Link& link, Lane lane, uint32_t type, std::string payload) EXCLUDES(mu_);
  // Answers a ChangesRequest from a blocking task, through the peer's serving queue.
  Status ServeChanges(const std::shared_ptr<Link>& link, const std::string& payload);
  // Records a peer's ChangesBatch as intents (blocking task) and starts their transfers.
  Status HandleChanges(const std::shared_ptr<Link>& link, const std::string& payload);
  Status HandlePoke(const std::string& node, const std::string& payload) EXCLUDES(mu_);
  // Asks `node` for changes since its checkpoint.
  void RequestChanges(const std::string& node, Peer& p) REQUIRES(mu_);
  // The store committed: poke every peer.
  void OnLocalChange(const Change& change) EXCLUDES(mu_);
  // Tells every connected peer where this node's log is; they ask for what they lack.
  void PokePeers() EXCLUDES(mu_);
  // Parked transfers (every holder dropped them, e.g. because a full disk refused their data)
  // start again from every connected peer, as when a peer connects; peers whose last batch
  // could not be recorded are asked again.
  void RetryParked();
  // Reads the log of one peer (or all) from zero again, reporting what it compares.
  Result<std::vector<std::string>> StartResync(const ResyncScope& scope) EXCLUDES(mu_);

  // Evidence that this store is an older copy of itself: a new incarnation (new epoch, new
  // name in vectors), then every link restarts so that each peer sees the new epoch in Hello
  // and reads this node's log from zero (its checkpoint in the old log may skip reused
  // positions).
  void StartNewIncarnation(const std::string& why) EXCLUDES(mu_);
  // After an identity clash: when the refused version is this node's own, its store issued a
  // counter twice, so it is an older copy of itself.
  void OnIdentityClash(const std::string& key, const VersionRecord& refused);

  // Records how far `reader` has read this log, and says whether it may hold keys this node
  // deleted and purged: it read this log before, and not as far as the last purge.
  std::optional<PurgeNotice> PurgeNoticeFor(const transport::PeerInfo& reader, uint64_t since);
  bool PurgeResyncing() EXCLUDES(mu_);
  // A peer says it purged deleted keys this node had not read of: forget the checkpoint, read
  // its whole log, then drop what it deleted (FinishPurgeResync). False when one is running.
  bool StartPurgeResync(const std::shared_ptr<Link>& link, const transport::PeerInfo& info,
                        const PurgeNotice& notice) EXCLUDES(mu_);
  // The end of a purge resync with `node`: every key this node holds that the peer has seen
  // from it (its entry is within what the peer read of this log), that the peer would hold
  // (its subscriptions) and may read (read rules), that is older than the peer's purge horizon, and that is absent from
  // the peer's whole log was deleted there and purged: drop it too. Keys written here since
  // the peer last read this log are kept: they are news, not leftovers. Blocking context.
  void FinishPurgeResync(const std::string& node, const PurgeResync& resync) EXCLUDES(mu_);

  // ---- serving a peer's requests (replicator_serving.cpp)

  Status ServeManifest(const std::shared_ptr<Link>& link, const std::string& payload);
  Status ServeChunks(const std::shared_ptr<Link>& link, const std::string& payload);
  // Sends the chunks of `req` from `next` on; stops (ParkServing) when the link's bulk queue
  // holds more than SendAhead. Blocking context, mu_ not held.
  void ServeChunkRange(const std::shared_ptr<Link>& link, const std::shared_ptr<ChunkRequest>& req, size_t next)
      EXCLUDES(mu_);
  // Bytes the link's bulk queue may hold before serving pauses: a tenth of a second at the
  // sending limit that applies to its peer; unlimited (no pause) without one.
  uint64_t SendAhead(const Link& link);
  // Puts the rest of `req` back at the front of its class and pauses the peer's serving until
  // the queue has drained to about half of SendAhead.
  void ParkServing(const std::shared_ptr<Link>& link, const std::shared_ptr<ChunkRequest>& req, size_t next)
      EXCLUDES(mu_);
  // Queues `work` serving one request of the link's peer (`bytes`: its size), running at most
  // kServingPerPeer of them at once; a peer whose queue is full is flooding.
  Status ServeBlocking(const std::shared_ptr<Link>& link, size_t bytes, limits::PriorityClass cls,
                       std::function<void()> work) EXCLUDES(mu_);
  // Starts queued work while fewer than kServingPerPeer run.
  void PumpServing(const std::string& node, Peer& p) REQUIRES(mu_);

  // ---- fetching (replicator_fetch.cpp)

  void StartTransfer(const std::string& key, const VersionRecord& record, const std::string& holder)
      REQUIRES(mu_);
  Status Refetch(const std::string& key, const VersionRecord& record, std::function<void(Status)> done)
      EXCLUDES(mu_);
  // Drops the transfer's source and continues from another holder, or parks the transfer (its
  // intent stays durable) until a holder connects.
  void Reroute(const std::string& tk, const std::string& why) REQUIRES(mu_);
  void PumpPeer(const std::string& node) REQUIRES(mu_);
  // The transfers fetching from `node` with chunks to ask for, highest class first, then older
  // versions first (sync.priorities).
  std::vector<std::pair<std::string, Transfer*>> FetchOrder(const std::string& node) REQUIRES(mu_);
  // How many bytes the next chunk request to `p` may ask for under the receiving limit: 0 when
  // the limit holds requests back for now (a pump is scheduled), the window budget when no
  // limit applies.
  uint64_t RequestAllowance(const std::string& node, Peer& p, const Link& link, uint64_t budget) REQUIRES(mu_);
  void UpdatePriorities(std::vector<limits::PriorityRule> rules) EXCLUDES(mu_);
  // Pumps every source of `t`: full holders and swarm peers.
  void PumpSources(const Transfer& t) REQUIRES(mu_);
  // Pumps only `t`'s full holders (the source and the helpers): what a grown allowance frees.
  void PumpFullHolders(const Transfer& t) REQUIRES(mu_);
  // `node` is a helper or swarm peer of transfer `tk` that failed to deliver `chunk`: stops
  // using it for that transfer and asks its chunks again from the others (when it was dropped
  // already, only `chunk`, a late answer to a request sent before). False when `node` is the
  // source or not a source at all (the caller reroutes the transfer).
  bool DropHelper(const std::string& tk, const std::string& node, const ChunkRef& chunk) REQUIRES(mu_);
  // Puts the chunks of transfer `tk` that `helper` was asked for back to be asked again; their
  // late answers no longer count for it.
  void TakeBackChunks(const std::string& tk, Transfer& t, Peer& helper) REQUIRES(mu_);
  void RequestManifest(const std::string& tk, Transfer& t) REQUIRES(mu_);

  Status HandleManifest(const std::string& node, const std::string& payload) EXCLUDES(mu_);
  // Decodes, verifies and buffers a chunk off the network thread; a malformed one closes the link.
  void HandleChunk(const std::shared_ptr<Link>& link, std::string payload);
  void StoreChunk(const std::string& node, uint32_t expected_size, std::vector<std::string> waiting,
                  const ChunkDataView& chunk) EXCLUDES(mu_);
  // Received chunks are written in large sorted batches (SST ingestion, as a local put does)
  // instead of one WAL + memtable write each; Complete() flushes before applying a version.
  // Buffers a received chunk; *through: the writer's added() after it (Transfer::ReceivedChunk).
  Status AddReceived(const ChunkId& id, std::string_view bytes, uint64_t* through) EXCLUDES(received_mu_);
  // How many received chunks are readable from the store (ChunkWriter::Stored).
  uint64_t StoredReceived() EXCLUDES(received_mu_);
  Status FlushReceived() EXCLUDES(received_mu_);
  // Frees the receive writer's batch buffers (ChunkWriter::ReleaseBuffers) once no transfer runs.
  void ReleaseReceivedBuffers() EXCLUDES(received_mu_);
  // Blocking context, mu_ not held.
  void OnManifestReady(const std::string& tk) EXCLUDES(mu_);
  void Complete(const std::string& tk) EXCLUDES(mu_);

  // ---- partial holders (replicator_swarm.cpp)

  // Numbers the manifest's distinct chunks and sets the bits of those held here (`present`).
  void IndexChunks(Transfer& t, const std::unordered_set<ChunkId, ChunkIdHash>& present) REQUIRES(mu_);
  // Tells `to` (every connected peer when empty) what this node holds of `t`; `fetching`: it
  // still fetches (false once applied).
  void SendAvailability(const Transfer& t, const std::vector<std::string>& to, bool fetching) REQUIRES(mu_);
  // A peer fetching the same version says what it holds; a malformed one closes its link.
  Status HandleAvailability(const std::string& node, const std::string& payload) EXCLUDES(mu_);
  // `t` stored chunks: true when it is time to tell the peers (kAdvertiseBytes more, or nothing
  // left in flight). Clears the count.
  bool DueToAdvertise(Transfer& t) REQUIRES(mu_);
  // Sets the bits of `t.received[t.advertised, upto)`, chunks now readable from the store.
  void MarkHeld(Transfer& t, size_t upto) REQUIRES(mu_);
  // Tells every peer which of the chunks `t` received are readable from the store now. Those
  // still buffered wait for their batch to be written (a write per advertisement made the
  // store's batches small), unless `flush`: then the buffer is written first, for a transfer
  // with nothing in flight (peers may wait on what it holds) or one not flushed for a while
  // (a slow link). Blocking context.
  void Advertise(const std::string& tk, const std::shared_ptr<Transfer>& t, bool flush) EXCLUDES(mu_, received_mu_);
  // Called every 10 s: a transfer that stored nothing since the last call stops deferring to
  // other fetchers (ChunkSchedule::SetEndgame).
  void CheckStalls() REQUIRES(mu_);

  // ---- read rules (replicator_read_rules.cpp)

  using ChunkSet = std::unordered_set<ChunkId, ChunkIdHash>;
  // A version a peer asked about (by key and version id) that it may read and this node holds
  // (retained, or being fetched with its manifest here).
  struct ServableVersion {
    ChunkId manifest_id;
    std::shared_ptr<const ChunkSet> chunks;  // the manifest's distinct chunks
  };

  // The read rules in force, or null when every peer may read everything.
  std::shared_ptr<const ReadAcl> ReadRules();
  static bool MayRead(const std::shared_ptr<const ReadAcl>& rules, const transport::PeerInfo& peer,
                      const std::string& key);
  // PermissionDenied when `peer` may not read the key (or names none: a peer older than read
  // rules), NotFound when this node holds no such version. Blocking context.
  Result<ServableVersion> ServableTo(const ReadAcl& rules, const transport::PeerInfo& peer,
                                     const RequestedVersion& version) EXCLUDES(mu_, chunk_sets_mu_);
  // Ok when the manifest request may be answered (no read rules, or the manifest is that of a
  // version ServableTo allows). Counts and logs a refusal. Blocking context.
  Status MayServeManifest(const transport::PeerInfo& peer, const ManifestRequest& request)
      EXCLUDES(mu_, chunk_sets_mu_);
  // Under read rules, takes out of `request` the chunks the peer may not be sent and returns
  // them (they are answered "not found", whether this node holds them or not), and drops delta
  // bases that are not chunks of a version of the same key held here. Counts and logs a
  // refusal. Blocking context.
  std::vector<ChunkId> WithholdUnreadable(const transport::PeerInfo& peer, ChunkRequest& request)
      EXCLUDES(mu_, chunk_sets_mu_);
  // The distinct chunks of a manifest, from a small cache. Blocking context.
  Result<std::shared_ptr<const ChunkSet>> ChunksOf(const ChunkId& manifest_id) EXCLUDES(chunk_sets_mu_);
  // The chunks of the key's retained versions (the newest kBaseVersions): valid delta bases.
  std::shared_ptr<const ChunkSet> ChunksOfKey(const ObjectKey& key) EXCLUDES(chunk_sets_mu_);
  // A local commit of meta/acl that changed the read rules: every peer's log is read again.
  void FollowReadRules() EXCLUDES(mu_);

  // ---- views (replicator_views.cpp)

  std::vector<PeerStatus> Peers() EXCLUDES(mu_);
  std::vector<ResyncReport> ResyncReports(const std::vector<std::string>& nodes) EXCLUDES(mu_);
  std::vector<KeyLocation> Where(const std::string& key) EXCLUDES(mu_);
  std::vector<PeerHolding> Holding(const std::string& key, const std::string& version_id) EXCLUDES(mu_);
  size_t ActiveTransfers() EXCLUDES(mu_);
  std::vector<TransferStatus> Transfers() EXCLUDES(mu_);

  // Versions no connected peer can serve.
  void MarkUnserved(const Transfer& t, const std::string& why) REQUIRES(mu_);
  // `applied` landed: forget unserved versions of its key that it equals or supersedes.
  void ClearUnserved(const std::string& key, const VersionRecord& applied) REQUIRES(mu_);
  std::vector<UnservedVersion> Unserved() EXCLUDES(mu_);

  // ---- selection and GC (replicator_views.cpp)

  SelectionState Selection() EXCLUDES(mu_);
  // Returns true when the new subscriptions may want keys the old ones did not.
  bool SetSelection(std::vector<std::string> subscriptions, std::map<std::string, std::string> labels)
      EXCLUDES(mu_);
  // GC roots of a retained version: everything for versions written here; for replicated
  // ones, nothing of keys no longer subscribed and only the parts placed on this node.
  Store::FileFilter GcRoots(const std::string& key, const VersionRecord& record, const Manifest& manifest)
      EXCLUDES(mu_);
  // Pending versions of keys outside the subscriptions are dropped with their transfers.
  Status DropUnsubscribed() EXCLUDES(mu_);

  Store& store_;
  ReplicatorOptions options_;

  Mutex mu_;
  SelectionState selection_ GUARDED_BY(mu_);
  std::map<std::string, Peer> peers_ GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<Transfer>> transfers_ GUARDED_BY(mu_);
  std::map<ChunkId, std::set<std::string>> manifest_waiters_ GUARDED_BY(mu_);
  // key -> peer -> the version ids its last changes batch announced for it.
  std::map<std::string, std::map<std::string, std::vector<std::string>>> fleet_ GUARDED_BY(mu_);
  std::map<std::string, UnservedEntry> unserved_ GUARDED_BY(mu_);  // by transfer key
  std::vector<limits::PriorityRule> priorities_ GUARDED_BY(mu_);
  std::shared_ptr<const ReadAcl> read_rules_seen_ GUARDED_BY(mu_);  // FollowReadRules

  Mutex chunk_sets_mu_;
  std::map<ChunkId, std::shared_ptr<const ChunkSet>> chunk_sets_ GUARDED_BY(chunk_sets_mu_);

  Mutex received_mu_;
  std::unique_ptr<ChunkWriter> received_ GUARDED_BY(received_mu_);  // created on first use

  Mutex tasks_mu_;  // taken with mu_ held, never the other way round
  CondVar tasks_cv_;
  size_t tasks_ GUARDED_BY(tasks_mu_) = 0;
  bool stopping_ GUARDED_BY(tasks_mu_) = false;
};

}  // namespace edgesync::replication
