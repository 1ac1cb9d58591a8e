// Rate: a bandwidth limit in bytes per second, as the configuration spells it ("2MiB/s",
// "20Mbit/s", "unlimited"). Plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace edgesync::limits {

struct Rate {
  // 0 means unlimited.
  uint64_t bytes_per_second = 0;

  bool unlimited() const { return bytes_per_second == 0; }
  bool operator==(const Rate&) const = default;
};

// "unlimited", or a positive number (decimals allowed) with a unit per second: B/s, kB/s,
// MB/s, GB/s (powers of 1000), KiB/s, MiB/s, GiB/s (powers of 1024), bit/s, kbit/s, Mbit/s,
// Gbit/s (powers of 1000 bits). A rate below 1 KiB/s is refused: it would stall a chunk for
// minutes, which is never what a node on a thin link wants.
Result<Rate> ParseRate(std::string_view text);

// "unlimited", or the rate in the largest binary unit that keeps it above 1 ("2 MiB/s",
// "1.5 GiB/s", "512 KiB/s").
std::string FormatRate(Rate rate);

}  // namespace edgesync::limits
