#include "checkout/checkout_retention.h"

#include <algorithm>

namespace edgesync {

void CheckoutRetention::Observe(const std::set<std::string>& old_on_disk, Clock::time_point now) {
  std::erase_if(retired_, [&](const auto& entry) { return !old_on_disk.count(entry.first); });
  for (const std::string& id : old_on_disk) retired_.emplace(id, now);
}

std::vector<std::string> CheckoutRetention::Expired(Clock::time_point now) const {
  std::vector<std::pair<Clock::time_point, std::string>> expired;
  for (const auto& [id, retired_at] : retired_) {
    if (now - retired_at >= policy_.grace_period) expired.emplace_back(retired_at, id);
  }
  std::sort(expired.begin(), expired.end());
  std::vector<std::string> ids;
  for (auto& [retired_at, id] : expired) ids.push_back(std::move(id));
  return ids;
}

Status CheckoutRetention::CheckRoomForNew(const std::string& current, Clock::time_point now) const {
  size_t old_after_switch = retired_.size() + (current.empty() || retired_.count(current) ? 0 : 1);
  if (old_after_switch <= policy_.max_old_versions) return Status::Ok();
  Clock::time_point oldest = now;
  for (const auto& [id, retired_at] : retired_) oldest = std::min(oldest, retired_at);
  auto wait = std::chrono::ceil<std::chrono::seconds>(policy_.grace_period - (now - oldest));
  return Status::FailedPrecondition(
      std::to_string(retired_.size()) + " old versions are still within their grace period of " +
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(policy_.grace_period).count()) +
      "s and checkout.max_old_versions is " + std::to_string(policy_.max_old_versions) +
      "; the oldest expires in " + std::to_string(wait.count()) + "s");
}

void CheckoutRetention::Switched(const std::string& previous, const std::string& next,
                                 Clock::time_point now) {
  retired_.erase(next);
  if (!previous.empty() && previous != next) retired_[previous] = now;
}

}  // namespace edgesync
