#include "limits/rate.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace edgesync::limits {
namespace {

struct Unit {
  std::string_view name;
  double bytes;
};

constexpr std::array<Unit, 11> kUnits = {{
    {"B/s", 1},
    {"kB/s", 1e3},
    {"MB/s", 1e6},
    {"GB/s", 1e9},
    {"KiB/s", 1024.0},
    {"MiB/s", 1024.0 * 1024},
    {"GiB/s", 1024.0 * 1024 * 1024},
    {"bit/s", 1.0 / 8},
    {"kbit/s", 1e3 / 8},
    {"Mbit/s", 1e6 / 8},
    {"Gbit/s", 1e9 / 8},
}};

constexpr uint64_t kMinBytesPerSecond = 1024;
constexpr double kMaxBytesPerSecond = 1e12;  // 1 TB/s: anything above is a typo

}  // namespace

Result<Rate> ParseRate(std::string_view text) {
  if (text == "unlimited") return Rate{};
  const std::string quoted = "'" + std::string(text) + "'";
  size_t digits = 0;
  while (digits < text.size() && ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.'))
    ++digits;
  double number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + digits, number);
  if (digits == 0 || ec != std::errc() || end != text.data() + digits) {
    return Status::InvalidArgument(
        "rate " + quoted + " must be \"unlimited\" or a number with a unit such as 2MiB/s or 20Mbit/s");
  }
  std::string_view unit = text.substr(digits);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  for (const Unit& u : kUnits) {
    if (unit != u.name) continue;
    const double bytes = std::round(number * u.bytes);
    if (bytes < kMinBytesPerSecond) {
      return Status::InvalidArgument("rate " + quoted + " is below 1KiB/s (use \"unlimited\" for no limit)");
    }
    if (bytes > kMaxBytesPerSecond) return Status::InvalidArgument("rate " + quoted + " is above 1TB/s");
    return Rate{static_cast<uint64_t>(bytes)};
  }
  return Status::InvalidArgument("rate " + quoted +
                                 " has no known unit (B/s, kB/s, MB/s, GB/s, KiB/s, MiB/s, GiB/s, bit/s, "
                                 "kbit/s, Mbit/s, Gbit/s)");
}

std::string FormatRate(Rate rate) {
  if (rate.unlimited()) return "unlimited";
  constexpr std::array<std::string_view, 4> kNames = {"B/s", "KiB/s", "MiB/s", "GiB/s"};
  double value = static_cast<double>(rate.bytes_per_second);
  size_t unit = 0;
  while (unit + 1 < kNames.size() && value >= 1024) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.*f %s", value == std::floor(value) ? 0 : 1, value,
                std::string(kNames[unit]).c_str());
  return text;
}

}  // namespace edgesync::limits
