#include "limits/rate_schedule.h"

#include <array>
#include <cstdio>

namespace edgesync::limits {
namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr int kMinutesPerWeek = 7 * kMinutesPerDay;
constexpr std::array<std::string_view, 7> kDayNames = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::optional<int> DayIndex(std::string_view name) {
  for (size_t i = 0; i < kDayNames.size(); ++i)
    if (kDayNames[i] == name) return static_cast<int>(i);
  return std::nullopt;
}

std::string TimeText(int minute) {
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", minute / 60, minute % 60);
  return text;
}

int Length(const RateWindow& w) {
  return w.to_minute > w.from_minute ? w.to_minute - w.from_minute
                                     : w.to_minute + kMinutesPerDay - w.from_minute;
}

int Modulo(int value) { return ((value % kMinutesPerWeek) + kMinutesPerWeek) % kMinutesPerWeek; }

// The window's occurrences as [start, start + length) in minutes of the week (Monday 00:00 is 0).
template <typename Fn>
void ForEachOccurrence(const RateWindow& w, Fn fn) {
  for (int day = 0; day < 7; ++day)
    if (w.days & (1u << day)) fn(day * kMinutesPerDay + w.from_minute, Length(w));
}

}  // namespace

std::string RateWindow::Describe() const {
  std::string days_text;
  if (days == 0x7f) {
    days_text = "daily";
  } else {
    for (int day = 0; day < 7; ++day) {
      if (!(days & (1u << day))) continue;
      int last = day;
      while (last + 1 < 7 && (days & (1u << (last + 1)))) ++last;
      if (!days_text.empty()) days_text += ',';
      days_text += kDayNames[day];
      if (last > day) days_text += (last > day + 1 ? "-" : ",") + std::string(kDayNames[last]);
      day = last;
    }
  }
  return days_text + " " + TimeText(from_minute) + "-" + TimeText(to_minute);
}

Result<uint8_t> ParseDays(std::string_view text) {
  if (text == "daily") return uint8_t{0x7f};
  uint8_t days = 0;
  const std::string quoted = "'" + std::string(text) + "'";
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const size_t dash = item.find('-');
    auto first = DayIndex(item.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : DayIndex(item.substr(dash + 1));
    if (!first || !last || (comma != std::string_view::npos && text.empty())) {
      return Status::InvalidArgument(
          "days " + quoted +
          " must be \"daily\" or day names (mon..sun) and ranges, e.g. \"mon-fri\" or "
          "\"sat,sun\"");
    }
    for (int day = *first;; day = (day + 1) % 7) {
      days |= static_cast<uint8_t>(1u << day);
      if (day == *last) break;
    }
  }
  if (days == 0) return Status::InvalidArgument("days must name at least one day");
  return days;
}

Result<int> ParseTimeOfDay(std::string_view text, bool allow_end_of_day) {
  auto digit = [&](size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (text.size() != 5 || text[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) {
    return Status::InvalidArgument("time '" + std::string(text) + "' must be HH:MM");
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  const int total = hours * 60 + minutes;
  if (minutes > 59 || total > kMinutesPerDay || (total == kMinutesPerDay && !allow_end_of_day)) {
    return Status::InvalidArgument("time '" + std::string(text) + "' is not a time of day (00:00 to " +
                                   (allow_end_of_day ? "24:00" : "23:59") + ")");
  }
  return total;
}

Result<RateWindow> MakeRateWindow(std::string_view days, std::string_view from, std::string_view to,
                                  std::string_view send, std::string_view recv) {
  RateWindow w;
  auto parsed_days = ParseDays(days);
  if (!parsed_days.ok()) return parsed_days.status();
  w.days = *parsed_days;
  auto start = ParseTimeOfDay(from, false);
  if (!start.ok()) return start.status();
  auto end = ParseTimeOfDay(to, true);
  if (!end.ok()) return end.status();
  if (*start == *end) {
    return Status::InvalidArgument(
        "window from " + std::string(from) + " to " + std::string(to) +
        " is empty (use days = \"daily\", from = \"00:00\", to = \"24:00\" for all day)");
  }
  w.from_minute = *start;
  w.to_minute = *end;
  for (auto [text, rate] : {std::pair{send, &w.send}, std::pair{recv, &w.recv}}) {
    if (text.empty()) continue;
    auto parsed = ParseRate(text);
    if (!parsed.ok()) return parsed.status();
    *rate = *parsed;
  }
  return w;
}

Status ValidateSchedule(const std::vector<RateWindow>& windows) {
  for (size_t i = 0; i < windows.size(); ++i) {
    for (size_t j = i + 1; j < windows.size(); ++j) {
      bool overlap = false;
      ForEachOccurrence(windows[i], [&](int a, int la) {
        ForEachOccurrence(windows[j], [&](int b, int lb) {
          overlap = overlap || Modulo(b - a) < la || Modulo(a - b) < lb;
        });
      });
      if (overlap) {
        return Status::InvalidArgument("rate_schedule windows " + std::to_string(i + 1) + " (" +
                                       windows[i].Describe() + ") and " + std::to_string(j + 1) + " (" +
                                       windows[j].Describe() + ") overlap");
      }
    }
  }
  return Status::Ok();
}

LimitsInForce EvaluateSchedule(const std::vector<RateWindow>& windows, Rate send, Rate recv,
                               std::time_t now) {
  LimitsInForce limits{send, recv, -1, std::nullopt};
  if (windows.empty()) return limits;
  std::tm local{};
  localtime_r(&now, &local);
  const int minute = ((local.tm_wday + 6) % 7) * kMinutesPerDay + local.tm_hour * 60 + local.tm_min;
  int next_edge = kMinutesPerWeek;  // minutes from the start of this minute to the next edge
  for (size_t i = 0; i < windows.size(); ++i) {
    const RateWindow& w = windows[i];
    ForEachOccurrence(w, [&](int start, int length) {
      const int into = Modulo(minute - start);
      if (into < length) {
        limits.window = static_cast<int>(i);
        limits.send = w.send.value_or(send);
        limits.recv = w.recv.value_or(recv);
        next_edge = std::min(next_edge, length - into);
      } else {
        next_edge = std::min(next_edge, kMinutesPerWeek - into);
      }
    });
  }
  // The edge in local wall-clock time; mktime applies the zone's offset on that day (DST).
  std::tm edge = local;
  edge.tm_sec = 0;
  edge.tm_min += next_edge;
  edge.tm_isdst = -1;
  limits.until = std::mktime(&edge);
  return limits;
}

std::string LocalTimeText(std::time_t when) {
  std::tm local{};
  localtime_r(&when, &local);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M %Z", &local);
  return text;
}

}  // namespace edgesync::limits
