// Durations and points in time as operators write them, for config keys and commands. Pure
// functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace edgesync {

// "90s", "15m", "12h", "30d" (or plain seconds) -> milliseconds, 1 s to 100 years.
Result<uint64_t> ParseDurationMs(std::string_view text);

// A point in time -> milliseconds since the epoch: RFC 3339 with a zone
// ("2026-12-07T18:00:00Z", "2026-12-07T19:00:00+01:00", seconds optional), or "+<duration>"
// after `now_ms` ("+30m").
Result<uint64_t> ParseTimeMs(std::string_view text, uint64_t now_ms);

// Milliseconds since the epoch as RFC 3339 in UTC, to the second: "2026-12-07T18:00:00Z".
std::string FormatTimeMs(uint64_t ms);

}  // namespace edgesync
