#include "base/time_text.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

TEST(TimeTextTest, DurationsTakeTheirUnitsAndRefuseOthers) {
  EXPECT_EQ(ParseDurationMs("90s").value(), 90'000u);
  EXPECT_EQ(ParseDurationMs("90").value(), 90'000u);
  EXPECT_EQ(ParseDurationMs("15m").value(), 900'000u);
  EXPECT_EQ(ParseDurationMs("2d").value(), 172'800'000u);
  EXPECT_FALSE(ParseDurationMs("0s").ok());
  EXPECT_FALSE(ParseDurationMs("5 weeks").ok());
  EXPECT_FALSE(ParseDurationMs("").ok());
}

TEST(TimeTextTest, TimesAreRfc3339WithAZoneOrRelative) {
  EXPECT_EQ(ParseTimeMs("1970-01-01T00:00:00Z", 0).value(), 0u);
  EXPECT_EQ(ParseTimeMs("2026-12-07T18:00:00Z", 0).value(), 1796666400000u);
  // The same instant in another zone, and without seconds.
  EXPECT_EQ(ParseTimeMs("2026-12-07T19:00:00+01:00", 0).value(), 1796666400000u);
  EXPECT_EQ(ParseTimeMs("2026-12-07T13:30-04:30", 0).value(), 1796666400000u);
  EXPECT_EQ(ParseTimeMs("+30m", 1000).value(), 1000u + 1'800'000u);
  EXPECT_EQ(FormatTimeMs(1796666400999), "2026-12-07T18:00:00Z");

  for (const char* bad : {"2026-12-07T18:00:00",  // no zone: each node would read its own
                          "2026-12-07", "tomorrow", "2026-13-01T00:00Z", "2026-02-31T00:00Z", "2026-12-07T24:00Z",
                          "2026-12-07T18:00:00Zjunk", "+", "+soon"}) {
    Result<uint64_t> parsed = ParseTimeMs(bad, 0);
    EXPECT_FALSE(parsed.ok()) << bad;
  }
  EXPECT_NE(ParseTimeMs("noon", 0).status().message().find("RFC 3339"), std::string::npos);
}

}  // namespace
}  // namespace edgesync
