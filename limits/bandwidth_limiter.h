// BandwidthLimiter: the node's bandwidth limits while it runs, and the token buckets that
// enforce them on the bulk lane.
//
// Limits: network.max_send_rate / max_recv_rate for the node as a whole (one bucket per
// direction shared by every peer), replaced in the windows of network.rate_schedule, and
// per-peer overrides (network.peer_rates), matched by node id or by labels (role=edge): the
// first override matching a peer gives it buckets of its own at that rate, which do not count
// against the node-wide ones (a LAN peer may be unlimited on a node capped for its uplink). An
// override without a rate for a direction leaves that direction on the node-wide bucket.
//
// Transport asks it before writing each bulk frame (send); replication asks it before each
// chunk request (receive: a receiver paces what it asks for, so nothing is dropped). The
// schedule is evaluated by Refresh, which the daemon calls every second and at each reload, so
// the limits change at window edges without touching the links or the transfers on them.
// Thread-safety: safe for concurrent access; one mutex guards everything.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "limits/rate.h"
#include "limits/rate_schedule.h"
#include "limits/token_bucket.h"

namespace edgesync::limits {

// A per-peer override: a node id, or labels a peer must all carry (its certificate role counts
// as the label "role").
struct PeerRateOverride {
  std::string node_id;                          // empty: match by `selector`
  std::map<std::string, std::string> selector;  // non-empty when node_id is empty
  std::optional<Rate> send, recv;               // unset: the node-wide limit

  // "node edge-7" or "role=edge,site=hall-3".
  std::string Describe() const;
  bool operator==(const PeerRateOverride&) const = default;
};

struct BandwidthConfig {
  Rate max_send, max_recv;  // node-wide; unlimited by default
  std::vector<PeerRateOverride> peers;
  std::vector<RateWindow> schedule;  // REQUIRES: ValidateSchedule(schedule) is ok
  bool operator==(const BandwidthConfig&) const = default;
};

enum class Direction { kSend, kRecv };

// The peer a limit is looked up for: its node id, its Hello labels and its certificate role.
struct PeerRef {
  const std::string& node_id;
  const std::map<std::string, std::string>& labels;
  const std::string& role;
};

class BandwidthLimiter {
 public:
  using Clock = TokenBucket::Clock;

  // `wall_now` is the clock the schedule is read with (time(nullptr); tests inject theirs). It
  // is called only from Refresh.
  BandwidthLimiter(BandwidthConfig config, std::function<std::time_t()> wall_now);

  // How long bulk bytes to (kSend) or from (kRecv) `peer` must wait; zero: they may go now.
  std::chrono::nanoseconds Delay(Direction direction, const PeerRef& peer, Clock::time_point now)
      EXCLUDES(mu_);
  // Counts `bytes` sent to, or asked of, `peer`.
  void Consume(Direction direction, const PeerRef& peer, uint64_t bytes, Clock::time_point now) EXCLUDES(mu_);
  // The limit that applies to `peer` now (unlimited: none).
  Rate RateFor(Direction direction, const PeerRef& peer) EXCLUDES(mu_);

  // A reloaded configuration: the buckets keep what they owe and take the new rates.
  void Apply(BandwidthConfig config) EXCLUDES(mu_);
  // Evaluates the schedule at wall_now() and sets the node-wide rates. Returns what is in force.
  LimitsInForce Refresh() EXCLUDES(mu_);

  // What is in force (as of the last Refresh) and the configuration it comes from.
  struct Snapshot {
    LimitsInForce node;
    BandwidthConfig config;
    // Bytes let through the node-wide send bucket, and asked for through the receive one,
    // since start (overrides' buckets not included).
    uint64_t node_sent_bytes = 0, node_requested_bytes = 0;
  };
  Snapshot Current() EXCLUDES(mu_);

 private:
  struct PeerBuckets {
    std::optional<TokenBucket> send, recv;
  };

  // The bucket `peer` uses in `direction`: its own when an override gives it a rate there, else
  // the node-wide one. Creates or re-rates the peer's bucket as the override says.
  TokenBucket& BucketFor(Direction direction, const PeerRef& peer, Clock::time_point now) REQUIRES(mu_);
  const PeerRateOverride* OverrideFor(const PeerRef& peer) const REQUIRES(mu_);

  const std::function<std::time_t()> wall_now_;
  Mutex mu_;
  BandwidthConfig config_ GUARDED_BY(mu_);
  LimitsInForce in_force_ GUARDED_BY(mu_);
  TokenBucket node_send_ GUARDED_BY(mu_);
  TokenBucket node_recv_ GUARDED_BY(mu_);
  uint64_t node_sent_bytes_ GUARDED_BY(mu_) = 0;
  uint64_t node_requested_bytes_ GUARDED_BY(mu_) = 0;
  std::map<std::string, PeerBuckets> peers_ GUARDED_BY(mu_);  // by node id
};

}  // namespace edgesync::limits
