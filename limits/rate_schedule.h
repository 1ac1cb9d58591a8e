// Rate schedules (network.rate_schedule): weekly windows in the node's local time zone, each
// with its own send and receive limits, and which limits are in force at a given time until
// when. Pure functions of their arguments and of the process's time zone (TZ, through the C
// library's localtime_r and mktime), so DST changes follow the zone's rules.
// Thread-safety: plain values and functions; safe for concurrent use.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "limits/rate.h"

namespace edgesync::limits {

// One window: on each of `days` from `from_minute` to `to_minute` local time. A window whose end
// is not after its start runs across midnight into the next day ("22:00" to "06:00"); `days`
// are the days it starts on.
struct RateWindow {
  uint8_t days = 0;     // bit 0 Monday ... bit 6 Sunday
  int from_minute = 0;  // 0..1439
  int to_minute = 0;    // 0..1440 ("24:00" is 1440), not equal to from_minute
  // Unset: the node-wide limit (network.max_send_rate / max_recv_rate) holds in the window.
  std::optional<Rate> send, recv;

  // "mon-fri 08:00-18:00".
  std::string Describe() const;
  bool operator==(const RateWindow&) const = default;
};

// "mon-fri", "sat,sun", "mon,wed-fri", "daily" (every day); day names are the first three
// letters, ranges may wrap ("fri-mon").
Result<uint8_t> ParseDays(std::string_view text);
// "08:00" -> 480; "24:00" only where `allow_end_of_day`.
Result<int> ParseTimeOfDay(std::string_view text, bool allow_end_of_day);
// A window from its configured texts; an empty send or recv text leaves that limit unset.
Result<RateWindow> MakeRateWindow(std::string_view days, std::string_view from, std::string_view to,
                                  std::string_view send, std::string_view recv);

// InvalidArgument naming the first two windows (1-based, as listed) that share a minute.
Status ValidateSchedule(const std::vector<RateWindow>& windows);

// The limits in force at `now`.
struct LimitsInForce {
  Rate send, recv;
  int window = -1;  // index of the window in force, -1 for none (the node-wide limits)
  // When the next window starts or this one ends; unset with no windows at all.
  std::optional<std::time_t> until;
};

// REQUIRES: ValidateSchedule(windows) is ok. `send` and `recv` are the node-wide limits.
LimitsInForce EvaluateSchedule(const std::vector<RateWindow>& windows, Rate send, Rate recv, std::time_t now);

// "2026-12-07 18:00 CET": `when` in the local time zone, as schedules are written.
std::string LocalTimeText(std::time_t when);

}  // namespace edgesync::limits
