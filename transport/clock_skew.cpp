#include "transport/clock_skew.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace edgesync::transport {

std::uint64_t WallClockMs() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

std::string UtcTimeText(std::uint64_t wall_ms) {
  std::time_t seconds = static_cast<std::time_t>(wall_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::int64_t ClockSkewMs(std::uint64_t peer_wall_ms, std::uint64_t local_wall_ms) {
  return static_cast<std::int64_t>(peer_wall_ms) - static_cast<std::int64_t>(local_wall_ms);
}

bool ClockSkewIsNotable(std::int64_t skew_ms, std::chrono::milliseconds threshold) {
  return skew_ms > threshold.count() || -skew_ms > threshold.count();
}

std::string DescribeClockSkew(std::int64_t skew_ms) {
  double seconds = static_cast<double>(skew_ms < 0 ? -skew_ms : skew_ms) / 1000.0;
  const char* direction = skew_ms < 0 ? "behind" : "ahead of";
  char text[128];
  if (seconds >= 86400.0) {
    std::snprintf(text, sizeof text, "its clock is %.1f days %s ours (%.0f s)", seconds / 86400.0,
                  direction, seconds);
  } else {
    std::snprintf(text, sizeof text, "its clock is %.1f s %s ours", seconds, direction);
  }
  return text;
}

std::optional<std::int64_t> NodeClockSkewMs(std::vector<std::int64_t> peer_skews_ms) {
  if (peer_skews_ms.empty()) return std::nullopt;
  auto middle = peer_skews_ms.begin() + static_cast<std::ptrdiff_t>(peer_skews_ms.size() / 2);
  std::nth_element(peer_skews_ms.begin(), middle, peer_skews_ms.end());
  return -*middle;
}

}  // namespace edgesync::transport
