// Replicator: keeps this node's store in sync with every peer it has a link to.
//
// It implements transport's LinkHandler. Per link it pulls the peer's change log from a durable
// per-(peer, epoch) checkpoint, records accepted versions as pending intents in the same batch
// that advances the checkpoint, fetches manifests and missing chunks within a window of bytes in
// flight, and applies each version only when every file passes its SHA-256. It serves the same
// requests to its peers (so any node relays what it holds) and pokes them when its own log
// moves. Blocking store work runs through `run_blocking`, never on network threads. It installs
// the store's GC root filter, so chunks of keys and parts outside its selection are collected.
//
// Thread-safety: safe for concurrent access; transport may call it from several threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "limits/bandwidth_limiter.h"
#include "limits/priority_class.h"
#include "replication/read_authority.h"
#include "store/store.h"
#include "transport/link_handler.h"

namespace edgesync::replication {

struct ReplicatorOptions {
  // Chunk bytes requested and not yet received, per peer. Must stay below the transport's bulk
  // queue bound (a peer whose queue overflows is dropped).
  size_t window_bytes = 16u << 20;
  size_t changes_per_batch = 256;
  // Selective sync: key globs this node wants (empty: all) and its labels, which decide the
  // parts of joint-inference models placed here.
  std::vector<std::string> subscriptions;
  std::map<std::string, std::string> labels;
  // Runs store work off the network threads. Required.
  std::function<void(std::function<void()>)> run_blocking;
  // level: syslog numbers (3 error, 4 warning, 6 info, 7 debug).
  std::function<void(int level, const std::string& message)> log;
  // Optional: called (from a blocking task) when a peer's data is refused as corrupt: a chunk
  // that does not hash to its id, or a version whose files fail SHA-256.
  std::function<void(const std::string& peer, const std::string& message)> on_corrupt_data;
  // Optional: asked before the missing chunks of a version (`bytes` of them) are requested; an
  // error (the disk quota is full) parks the transfer as unserved until RetryParked.
  std::function<Status(const std::string& key, uint64_t bytes)> admit_fetch;
  // Optional write ACL (WriteAuthority::AdmitRemote): may a version a peer announces be
  // accepted? `sender_role` is the announcing peer's certificate role. A refused version is
  // logged with its author and neither fetched, applied nor relayed. Unset: all accepted.
  std::function<Status(const std::string& key, const VersionRecord& record, const std::string& sender_role)>
      admit_version;
  // Optional read rules (meta/acl's "allow": "read", read_authority.h): what each peer may be
  // sent, judged by its certificate. Changes batches leave out keys the peer may not read;
  // manifests and chunks are served only of versions of keys it may read that this node holds
  // (or fetches); chunk availability goes only to peers that may read the version. When the
  // rules change, every peer's log is read again (a key granted now was left out before).
  // Unset, or no read rule in force: everything is served to every peer.
  std::shared_ptr<ReadAuthority> read_authority;
  // Optional: the node's bandwidth limits. Chunk requests to a peer are paced to its receiving
  // limit (a receiver asks only for what the limit lets arrive, so nothing is dropped), with
  // `run_after` (required with it) asking again once the limit allows.
  std::shared_ptr<limits::BandwidthLimiter> bandwidth;
  std::function<void(std::chrono::milliseconds, std::function<void()>)> run_after;
  // sync.priorities: the class of each key's transfers (first matching glob; normal by
  // default). Higher classes are asked for first, and served first to peers that ask.
  std::vector<limits::PriorityRule> priorities;
};

struct PeerStatus {
  std::string node_id;
  std::string address;
  std::string role;
  std::map<std::string, std::string> labels;  // from its hello
  bool connected = false;
  uint64_t last_seen_ms = 0;
  uint64_t bytes_in = 0;   // on the current link
  uint64_t bytes_out = 0;
  uint64_t checkpoint = 0;  // how far we have read the peer's change log
  uint64_t peer_latest = 0; // the peer's last sequence number, as last reported
  size_t transfers = 0;     // versions being fetched from it
  // Its clock minus ours, measured at the hello of the current link; nullopt when disconnected.
  std::optional<int64_t> clock_skew_ms;
  uint64_t bytes_in_total = 0;   // on every link to it since this daemon started
  uint64_t bytes_out_total = 0;
  // Its software version from the hello of the current link; empty when disconnected or when
  // the peer is too old to send it.
  std::string software_version;
};

// A version being fetched, as status displays show it.
struct TransferStatus {
  std::string key;
  std::string version_id;
  std::string source;                // peer node id it is fetched from (manifest and chunks)
  std::vector<std::string> holders;  // peers known to hold it
  bool have_manifest = false;
  uint64_t total_bytes = 0;  // bytes of the chunks it must fetch; 0 until the manifest is in
  uint64_t done_bytes = 0;   // of those, stored so far
  std::vector<std::string> helpers;  // other holders and partial holders it is fetched from too
  limits::PriorityClass priority = limits::PriorityClass::kNormal;  // sync.priorities
};

// What one node holds of a key, as far as this node knows.
struct KeyLocation {
  std::string node_id;
  std::vector<std::string> version_ids;
  bool local = false;
};

// Whether one peer holds a given version, for `put --wait`: every peer linked since this node
// started, with the labels of its hello and its last reported heads of the key.
struct PeerHolding {
  std::string node_id;
  std::map<std::string, std::string> labels;
  bool connected = false;
  bool holds = false;
  bool reported = false;  // not a direct peer: known from its node record (fleet/)
};

// A version this node wants but cannot get from any connected peer: the peers announcing it
// lack some of its chunks (a relay holding other parts or only the spec), or none of them is
// connected. Cleared once the version (or one that supersedes it) is applied.
struct UnservedVersion {
  std::string key;
  std::string version_id;
  std::string reason;
  uint64_t since_ms = 0;
};

// What `resync` asks for: every connected peer, or one, and the keys to report on (a glob as in
// subscriptions; empty: all). The whole log is read either way; the glob narrows the report.
struct ResyncScope {
  std::string peer;
  std::string key_glob;
};

// What a resync found with one peer so far.
struct ResyncReport {
  std::string node_id;
  bool connected = true;
  bool done = false;                  // its whole change log has been read
  size_t keys_compared = 0;           // keys in its log within the scope (and subscribed here)
  size_t in_sync = 0;                 // of those, every head it announced was known here
  std::vector<std::string> fetching;  // keys with versions new here: fetches started
};

class Replicator : public transport::LinkHandler {
 public:
  Replicator(Store& store, ReplicatorOptions options);
  ~Replicator() override;
  Replicator(const Replicator&) = delete;
  Replicator& operator=(const Replicator&) = delete;

  void OnLinkUp(transport::Link& link) override;
  void OnMessage(transport::Link& link, transport::Lane lane, std::uint32_t type,
                 std::string payload) override;
  void OnLinkDown(transport::Link& link, const std::string& reason) override;
  void OnLinkRefused(const std::string& address, const std::string& reason) override;

  std::vector<PeerStatus> Peers();
  // Restarts transfers that were parked with no holder left (a refused chunk or apply, e.g. on
  // a full disk) from the connected peers. The owner calls it now and then. Non-blocking.
  void RetryParked();
  // How far this node's clock is ahead (+) or behind (-) its connected peers' (the median of
  // their hello-time skews, transport/clock_skew.h); nullopt with no connected peer.
  std::optional<int64_t> ClockSkewMs();
  // Reads the change logs of the connected peers in `scope` from zero, ignoring checkpoints, so
  // anything a checkpoint skipped is compared and fetched again. Returns the peers asked;
  // NotFound when `scope.peer` is not connected. Non-blocking: follow it with ResyncReports.
  Result<std::vector<std::string>> Resync(const ResyncScope& scope = {});
  // The latest resync of each of `peers`.
  std::vector<ResyncReport> ResyncReports(const std::vector<std::string>& peers);
  std::vector<KeyLocation> Where(const std::string& key);
  std::vector<PeerHolding> Holding(const std::string& key, const std::string& version_id);
  std::vector<UnservedVersion> Unserved();
  // Fetches again the chunks of `record`, a version this node retains but whose chunks the disk
  // quota evicted, from the connected peers that announced it. `done` is called once, from any
  // thread, when the chunks are stored (ok) or the fetch gave up; it must be quick and must not
  // call the replicator. NotFound (and no call) when no connected peer holds the version.
  Status Refetch(const std::string& key, const VersionRecord& record, std::function<void(Status)> done);
  // Applies new subscriptions and labels (configuration reload). When they may want more than
  // before, every peer's log is read again from zero so newly wanted keys and parts arrive.
  // Pending versions of keys no longer subscribed are dropped; the chunks of keys and parts no
  // longer wanted stop being GC roots (their specs stay), so the next `gc` reclaims them.
  Status UpdateSelection(std::vector<std::string> subscriptions, std::map<std::string, std::string> labels);
  // Applies new sync.priorities (configuration reload) to the transfers in progress too.
  void UpdatePriorities(std::vector<limits::PriorityRule> rules);
  size_t ActiveTransfers();
  std::vector<TransferStatus> Transfers();
  // Versions accepted but not applied yet (durable intents).
  Result<size_t> PendingCount();

  // Stops starting work and waits for blocking tasks already running.
  void Shutdown();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace edgesync::replication
