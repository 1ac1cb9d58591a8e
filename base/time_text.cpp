#include "base/time_text.h"

#include <charconv>
#include <ctime>
#include <string>

namespace edgesync {
namespace {

// Reads `digits` decimal digits at `*at` into `*out`.
bool ReadNumber(std::string_view text, size_t* at, size_t digits, int* out) {
  if (*at + digits > text.size()) return false;
  auto [end, ec] = std::from_chars(text.data() + *at, text.data() + *at + digits, *out);
  if (ec != std::errc() || end != text.data() + *at + digits) return false;
  *at += digits;
  return true;
}

bool Expect(std::string_view text, size_t* at, char c) {
  if (*at >= text.size() || (text[*at] != c && !(c == 'T' && (text[*at] == 't' || text[*at] == ' ')))) return false;
  ++*at;
  return true;
}

}  // namespace

Result<uint64_t> ParseDurationMs(std::string_view text) {
  uint64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end == text.data())
    return Status::InvalidArgument("'" + std::string(text) + "' is not a duration (e.g. \"90s\", \"12h\", \"30d\")");
  std::string_view unit(end, text.data() + text.size() - end);
  uint64_t seconds = 0;
  if (unit.empty() || unit == "s") seconds = 1;
  else if (unit == "m") seconds = 60;
  else if (unit == "h") seconds = 3600;
  else if (unit == "d") seconds = 86400;
  else return Status::InvalidArgument("'" + std::string(text) + "' has an unknown unit (use s, m, h or d)");
  if (number == 0 || number > 100ull * 365 * 86400 / seconds)
    return Status::InvalidArgument("duration '" + std::string(text) + "' must be between 1s and 100 years");
  return number * seconds * 1000;
}

Result<uint64_t> ParseTimeMs(std::string_view text, uint64_t now_ms) {
  if (!text.empty() && text.front() == '+') {
    Result<uint64_t> after = ParseDurationMs(text.substr(1));
    if (!after.ok()) return after.status();
    return now_ms + *after;
  }
  const Status bad = Status::InvalidArgument(
      "'" + std::string(text) + "' is not a time: give RFC 3339 with a zone (2026-12-07T18:00:00Z, " +
      "2026-12-07T19:00+01:00) or +<duration> (+30m)");
  std::tm tm{};
  size_t at = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadNumber(text, &at, 4, &year) || !Expect(text, &at, '-') || !ReadNumber(text, &at, 2, &month) ||
      !Expect(text, &at, '-') || !ReadNumber(text, &at, 2, &day) || !Expect(text, &at, 'T') ||
      !ReadNumber(text, &at, 2, &hour) || !Expect(text, &at, ':') || !ReadNumber(text, &at, 2, &minute))
    return bad;
  if (at < text.size() && text[at] == ':' && !(++at, ReadNumber(text, &at, 2, &second))) return bad;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 || year < 1970)
    return bad;
  int64_t offset_s = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const int sign = text[at++] == '+' ? 1 : -1;
    int oh = 0, om = 0;
    if (!ReadNumber(text, &at, 2, &oh) || !Expect(text, &at, ':') || !ReadNumber(text, &at, 2, &om) || oh > 23 ||
        om > 59)
      return bad;
    offset_s = sign * (oh * 3600 + om * 60);
  } else {
    return bad;  // a local time would depend on the zone of whichever node reads it
  }
  if (at != text.size()) return bad;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const int64_t utc = static_cast<int64_t>(::timegm(&tm)) - offset_s;
  if (tm.tm_mday != day || utc < 0) return bad;  // 2026-02-31 and the like
  return static_cast<uint64_t>(utc) * 1000;
}

std::string FormatTimeMs(uint64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace edgesync
