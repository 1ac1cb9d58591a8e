#include "limits/bandwidth_limiter.h"

#include <algorithm>

namespace edgesync::limits {

std::string PeerRateOverride::Describe() const {
  if (!node_id.empty()) return "node " + node_id;
  std::string text;
  for (const auto& [key, value] : selector) text += (text.empty() ? "" : ",") + key + "=" + value;
  return text;
}

BandwidthLimiter::BandwidthLimiter(BandwidthConfig config, std::function<std::time_t()> wall_now)
    : wall_now_(std::move(wall_now)),
      config_(std::move(config)),
      node_send_(Rate{}, Clock::now()),
      node_recv_(Rate{}, Clock::now()) {
  Refresh();
}

const PeerRateOverride* BandwidthLimiter::OverrideFor(const PeerRef& peer) const {
  for (const PeerRateOverride& o : config_.peers) {
    if (!o.node_id.empty()) {
      if (o.node_id == peer.node_id) return &o;
      continue;
    }
    const bool all = std::all_of(o.selector.begin(), o.selector.end(), [&](const auto& label) {
      if (label.first == "role" && label.second == peer.role) return true;
      auto it = peer.labels.find(label.first);
      return it != peer.labels.end() && it->second == label.second;
    });
    if (all) return &o;
  }
  return nullptr;
}

TokenBucket& BandwidthLimiter::BucketFor(Direction direction, const PeerRef& peer, Clock::time_point now) {
  const bool send = direction == Direction::kSend;
  const PeerRateOverride* o = OverrideFor(peer);
  const std::optional<Rate> own = o ? (send ? o->send : o->recv) : std::nullopt;
  if (!own) return send ? node_send_ : node_recv_;
  PeerBuckets& buckets = peers_[peer.node_id];
  std::optional<TokenBucket>& bucket = send ? buckets.send : buckets.recv;
  if (!bucket)
    bucket.emplace(*own, now);
  else if (bucket->rate() != *own)
    bucket->SetRate(*own, now);
  return *bucket;
}

std::chrono::nanoseconds BandwidthLimiter::Delay(Direction direction, const PeerRef& peer,
                                                 Clock::time_point now) {
  MutexLock lock(mu_);
  return BucketFor(direction, peer, now).Delay(now);
}

void BandwidthLimiter::Consume(Direction direction, const PeerRef& peer, uint64_t bytes,
                               Clock::time_point now) {
  MutexLock lock(mu_);
  TokenBucket& bucket = BucketFor(direction, peer, now);
  bucket.Consume(bytes, now);
  if (&bucket == &node_send_) node_sent_bytes_ += bytes;
  if (&bucket == &node_recv_) node_requested_bytes_ += bytes;
}

Rate BandwidthLimiter::RateFor(Direction direction, const PeerRef& peer) {
  MutexLock lock(mu_);
  return BucketFor(direction, peer, Clock::now()).rate();
}

void BandwidthLimiter::Apply(BandwidthConfig config) {
  {
    MutexLock lock(mu_);
    config_ = std::move(config);
  }
  Refresh();
}

LimitsInForce BandwidthLimiter::Refresh() {
  const std::time_t wall = wall_now_();
  const Clock::time_point now = Clock::now();
  MutexLock lock(mu_);
  in_force_ = EvaluateSchedule(config_.schedule, config_.max_send, config_.max_recv, wall);
  if (node_send_.rate() != in_force_.send) node_send_.SetRate(in_force_.send, now);
  if (node_recv_.rate() != in_force_.recv) node_recv_.SetRate(in_force_.recv, now);
  return in_force_;
}

BandwidthLimiter::Snapshot BandwidthLimiter::Current() {
  MutexLock lock(mu_);
  return Snapshot{in_force_, config_, node_sent_bytes_, node_requested_bytes_};
}

}  // namespace edgesync::limits
