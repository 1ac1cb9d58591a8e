#include "status/rate_window.h"

namespace edgesync {

void RateWindow::Add(Clock::time_point at, uint64_t total) {
  if (!samples_.empty() && total < samples_.back().total) samples_.clear();
  samples_.push_back({at, total});
  // Keep one sample at or before the window's start: the base the rate is measured from.
  while (samples_.size() > 2 && samples_[1].at <= at - span_) samples_.pop_front();
}

std::optional<uint64_t> RateWindow::BytesPerSecond() const {
  if (samples_.size() < 2) return std::nullopt;
  const Sample& base = samples_.front();
  const Sample& last = samples_.back();
  const double seconds = std::chrono::duration<double>(last.at - base.at).count();
  if (seconds <= 0) return std::nullopt;
  return static_cast<uint64_t>(static_cast<double>(last.total - base.total) / seconds);
}

}  // namespace edgesync
