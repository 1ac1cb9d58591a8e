#include "limits/rate_schedule.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <string>

namespace edgesync::limits {
namespace {

constexpr Rate kMiB{1 << 20};
constexpr Rate kTwoMiB{2 << 20};

// Runs each test in a zone with DST, given as POSIX rules so no tzdata is needed: Central
// European Time, summer time from the last Sunday of March 02:00 to the last Sunday of October
// 03:00.
class RateScheduleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* tz = std::getenv("TZ")) saved_tz_ = tz;
    setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
    tzset();
  }
  void TearDown() override {
    if (saved_tz_)
      setenv("TZ", saved_tz_->c_str(), 1);
    else
      unsetenv("TZ");
    tzset();
  }

  static std::tm Fields(int year, int month, int day, int hour, int minute) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    return tm;
  }
  // A local wall-clock time in the test zone.
  static std::time_t Local(int year, int month, int day, int hour, int minute) {
    std::tm tm = Fields(year, month, day, hour, minute);
    tm.tm_isdst = -1;
    return std::mktime(&tm);
  }
  static std::time_t Utc(int year, int month, int day, int hour, int minute) {
    std::tm tm = Fields(year, month, day, hour, minute);
    return timegm(&tm);
  }
  static RateWindow Window(const char* days, const char* from, const char* to, const char* send,
                           const char* recv = "") {
    auto w = MakeRateWindow(days, from, to, send, recv);
    EXPECT_TRUE(w.ok()) << w.status().message();
    return *w;
  }

 private:
  std::optional<std::string> saved_tz_;
};

TEST_F(RateScheduleTest, WeekdayWindowAndItsEdges) {
  // 2026-12-07 is a Monday.
  const std::vector<RateWindow> windows = {Window("mon-fri", "08:00", "18:00", "2MiB/s")};
  ASSERT_TRUE(ValidateSchedule(windows).ok());

  LimitsInForce in = EvaluateSchedule(windows, Rate{}, kMiB, Local(2026, 12, 7, 10, 30));
  EXPECT_EQ(in.window, 0);
  EXPECT_EQ(in.send, kTwoMiB);
  EXPECT_EQ(in.recv, kMiB) << "a window without recv keeps the node-wide limit";
  EXPECT_EQ(in.until, Local(2026, 12, 7, 18, 0));

  LimitsInForce out = EvaluateSchedule(windows, Rate{}, kMiB, Local(2026, 12, 7, 18, 0));
  EXPECT_EQ(out.window, -1);
  EXPECT_TRUE(out.send.unlimited());
  EXPECT_EQ(out.until, Local(2026, 12, 8, 8, 0));

  LimitsInForce weekend = EvaluateSchedule(windows, Rate{}, kMiB, Local(2026, 12, 11, 19, 5));  // Friday
  EXPECT_EQ(weekend.window, -1);
  EXPECT_EQ(weekend.until, Local(2026, 12, 14, 8, 0)) << "next Monday";

  EXPECT_EQ(EvaluateSchedule(windows, Rate{}, kMiB, Local(2026, 12, 7, 7, 59)).window, -1);
  EXPECT_EQ(EvaluateSchedule(windows, Rate{}, kMiB, Local(2026, 12, 7, 8, 0)).window, 0);
}

TEST_F(RateScheduleTest, WindowAcrossMidnightBelongsToItsStartDay) {
  const std::vector<RateWindow> windows = {Window("fri", "22:00", "06:00", "unlimited", "1MiB/s")};
  // Friday 2026-12-11 23:30: in the window until Saturday 06:00.
  LimitsInForce late = EvaluateSchedule(windows, kTwoMiB, kTwoMiB, Local(2026, 12, 11, 23, 30));
  EXPECT_EQ(late.window, 0);
  EXPECT_TRUE(late.send.unlimited());
  EXPECT_EQ(late.recv, kMiB);
  EXPECT_EQ(late.until, Local(2026, 12, 12, 6, 0));
  // Saturday 05:59 still in it; 06:00 out, until next Friday 22:00.
  EXPECT_EQ(EvaluateSchedule(windows, kTwoMiB, kTwoMiB, Local(2026, 12, 12, 5, 59)).window, 0);
  LimitsInForce after = EvaluateSchedule(windows, kTwoMiB, kTwoMiB, Local(2026, 12, 12, 6, 0));
  EXPECT_EQ(after.window, -1);
  EXPECT_EQ(after.send, kTwoMiB);
  EXPECT_EQ(after.until, Local(2026, 12, 18, 22, 0));
  // Thursday night is not Friday's window.
  EXPECT_EQ(EvaluateSchedule(windows, kTwoMiB, kTwoMiB, Local(2026, 12, 10, 23, 0)).window, -1);
  // A window may run to the end of the day.
  const std::vector<RateWindow> evening = {Window("daily", "20:00", "24:00", "1MiB/s")};
  LimitsInForce night = EvaluateSchedule(evening, Rate{}, Rate{}, Local(2026, 12, 7, 23, 59));
  EXPECT_EQ(night.window, 0);
  EXPECT_EQ(night.until, Local(2026, 12, 8, 0, 0));
}

TEST_F(RateScheduleTest, EdgesFollowTheZoneAcrossDstChanges) {
  // Spring forward: Sunday 2026-03-29 02:00 CET becomes 03:00 CEST.
  const std::vector<RateWindow> sunday = {Window("sun", "03:00", "05:00", "1MiB/s")};
  LimitsInForce before = EvaluateSchedule(sunday, Rate{}, Rate{}, Utc(2026, 3, 28, 11, 0));  // Sat 12:00 CET
  EXPECT_EQ(before.window, -1);
  EXPECT_EQ(before.until, Utc(2026, 3, 29, 1, 0)) << "03:00 CEST, 14 real hours later";
  LimitsInForce during = EvaluateSchedule(sunday, Rate{}, Rate{}, Utc(2026, 3, 29, 1, 30));  // 03:30 CEST
  EXPECT_EQ(during.window, 0);
  EXPECT_EQ(during.until, Utc(2026, 3, 29, 3, 0)) << "05:00 CEST";

  const std::vector<RateWindow> weekdays = {Window("mon-fri", "08:00", "18:00", "2MiB/s")};
  LimitsInForce weekend =
      EvaluateSchedule(weekdays, Rate{}, Rate{}, Utc(2026, 3, 27, 18, 0));  // Fri 19:00 CET
  EXPECT_EQ(weekend.until, Utc(2026, 3, 30, 6, 0)) << "Monday 08:00 CEST";

  // Fall back: Sunday 2026-10-25 03:00 CEST becomes 02:00 CET.
  const std::vector<RateWindow> morning = {Window("sun", "08:00", "09:00", "1MiB/s")};
  LimitsInForce saturday =
      EvaluateSchedule(morning, Rate{}, Rate{}, Utc(2026, 10, 24, 10, 0));  // Sat 12:00 CEST
  EXPECT_EQ(saturday.until, Utc(2026, 10, 25, 7, 0)) << "08:00 CET, 21 real hours later";
  // The repeated hour is evaluated by its wall-clock time both times round.
  const std::vector<RateWindow> small_hours = {Window("sun", "02:00", "03:00", "1MiB/s")};
  EXPECT_EQ(EvaluateSchedule(small_hours, Rate{}, Rate{}, Utc(2026, 10, 25, 0, 30)).window, 0);  // 02:30 CEST
  EXPECT_EQ(EvaluateSchedule(small_hours, Rate{}, Rate{}, Utc(2026, 10, 25, 1, 30)).window, 0);  // 02:30 CET
  EXPECT_EQ(EvaluateSchedule(small_hours, Rate{}, Rate{}, Utc(2026, 10, 25, 2, 0)).window, -1);  // 03:00 CET
}

TEST_F(RateScheduleTest, LocalTimeTextNamesTheZone) {
  EXPECT_EQ(LocalTimeText(Utc(2026, 12, 7, 17, 0)), "2026-12-07 18:00 CET");
  EXPECT_EQ(LocalTimeText(Utc(2026, 7, 1, 6, 30)), "2026-07-01 08:30 CEST");
}

TEST_F(RateScheduleTest, NoWindowsMeansNodeWideForever) {
  LimitsInForce in = EvaluateSchedule({}, kMiB, kTwoMiB, Local(2026, 12, 7, 12, 0));
  EXPECT_EQ(in.send, kMiB);
  EXPECT_EQ(in.recv, kTwoMiB);
  EXPECT_EQ(in.window, -1);
  EXPECT_FALSE(in.until.has_value());
}

TEST_F(RateScheduleTest, OverlappingWindowsAreRefusedNamingBoth) {
  std::vector<RateWindow> windows = {Window("mon-fri", "08:00", "18:00", "2MiB/s"),
                                     Window("sat,sun", "10:00", "12:00", "1MiB/s"),
                                     Window("fri", "17:00", "02:00", "1MiB/s")};
  Status st = ValidateSchedule(windows);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("windows 1 (mon-fri 08:00-18:00) and 3 (fri 17:00-02:00) overlap"),
            std::string::npos)
      << st.message();
  // Across midnight into a window of the next day.
  windows = {Window("sun", "22:00", "07:00", "1MiB/s"), Window("mon", "06:00", "08:00", "2MiB/s")};
  EXPECT_FALSE(ValidateSchedule(windows).ok());
  // Touching windows do not overlap.
  windows = {Window("daily", "00:00", "08:00", "1MiB/s"), Window("daily", "08:00", "24:00", "2MiB/s")};
  EXPECT_TRUE(ValidateSchedule(windows).ok());
}

TEST_F(RateScheduleTest, InvalidWindowsAreRefused) {
  EXPECT_FALSE(MakeRateWindow("weekdays", "08:00", "18:00", "1MiB/s", "").ok());
  EXPECT_FALSE(MakeRateWindow("mon-", "08:00", "18:00", "1MiB/s", "").ok());
  EXPECT_FALSE(MakeRateWindow("mon", "8:00", "18:00", "1MiB/s", "").ok());
  EXPECT_FALSE(MakeRateWindow("mon", "08:60", "18:00", "1MiB/s", "").ok());
  EXPECT_FALSE(MakeRateWindow("mon", "24:00", "18:00", "1MiB/s", "").ok());
  EXPECT_FALSE(MakeRateWindow("mon", "25:00", "26:00", "1MiB/s", "").ok());
  EXPECT_FALSE(MakeRateWindow("mon", "08:00", "08:00", "1MiB/s", "").ok()) << "empty window";
  EXPECT_FALSE(MakeRateWindow("mon", "08:00", "18:00", "fast", "").ok());
  auto wrap = ParseDays("fri-mon");
  ASSERT_TRUE(wrap.ok());
  EXPECT_EQ(*wrap, 0b1110001);
  EXPECT_EQ(Window("sat,sun", "00:00", "24:00", "1MiB/s").Describe(), "sat,sun 00:00-24:00");
  EXPECT_EQ(Window("mon-wed,fri", "08:00", "18:00", "1MiB/s").Describe(), "mon-wed,fri 08:00-18:00");
}

}  // namespace
}  // namespace edgesync::limits
