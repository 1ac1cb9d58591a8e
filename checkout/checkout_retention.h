// CheckoutRetention: the rule that keeps a checkout target's old version directories for
// readers still inside them.
//
// A version directory stops being current when the link switches away from it. It is then
// kept for at least `grace_period`, and removed at the first switch of the same target after
// that. So a reader that resolves the link once sees one complete version for at least the
// grace period. At most `max_old_versions` old directories are kept: a switch that needs a
// new directory while that many are still within their grace period is refused
// (FailedPrecondition, saying when the oldest expires) rather than cutting a grace period
// short; switching back to a version still on disk is always allowed, as it adds nothing.
//
// Retirement times live in memory (steady clock): after a restart every old directory found
// on disk counts as retired at the first switch that sees it, so it gets a full grace period.
//
// Needs external synchronization (CheckoutSwitcher holds the target's mutex).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"

namespace edgesync {

struct CheckoutRetentionPolicy {
  std::chrono::milliseconds grace_period{std::chrono::seconds(60)};  // checkout.grace_period
  size_t max_old_versions = 8;                                       // checkout.max_old_versions
};

class CheckoutRetention {
 public:
  using Clock = std::chrono::steady_clock;

  explicit CheckoutRetention(CheckoutRetentionPolicy policy) : policy_(policy) {}

  // Takes in the old (not current) version directories on disk: ids not seen before retire at
  // `now`; ids no longer on disk are forgotten.
  void Observe(const std::set<std::string>& old_on_disk, Clock::time_point now);
  // Old versions whose grace period is over at `now`, oldest first.
  std::vector<std::string> Expired(Clock::time_point now) const;
  // Whether a switch whose new directory must be written may happen now, given the current
  // version `current` ("" when none) becomes old. Call after removing the expired ones.
  Status CheckRoomForNew(const std::string& current, Clock::time_point now) const;
  // `previous` stopped being current at `now`; `next` is current (no longer old).
  void Switched(const std::string& previous, const std::string& next, Clock::time_point now);
  void Forget(const std::string& version_id) { retired_.erase(version_id); }

 private:
  CheckoutRetentionPolicy policy_;
  std::map<std::string, Clock::time_point> retired_;  // old version id -> when it retired
};

}  // namespace edgesync
