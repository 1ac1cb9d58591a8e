#include "limits/rate.h"

#include <gtest/gtest.h>

namespace edgesync::limits {
namespace {

TEST(RateTest, ParsesUnits) {
  EXPECT_EQ(ParseRate("2MiB/s")->bytes_per_second, 2u << 20);
  EXPECT_EQ(ParseRate("20Mbit/s")->bytes_per_second, 2'500'000u);
  EXPECT_EQ(ParseRate("1.5 GiB/s")->bytes_per_second, 3u << 29);
  EXPECT_EQ(ParseRate("512KiB/s")->bytes_per_second, 512u << 10);
  EXPECT_EQ(ParseRate("10MB/s")->bytes_per_second, 10'000'000u);
  EXPECT_EQ(ParseRate("80kbit/s")->bytes_per_second, 10'000u);
}

TEST(RateTest, UnlimitedIsZero) {
  auto rate = ParseRate("unlimited");
  ASSERT_TRUE(rate.ok());
  EXPECT_TRUE(rate->unlimited());
  EXPECT_EQ(FormatRate(*rate), "unlimited");
}

TEST(RateTest, RefusesMalformedRatesWithAReason) {
  for (const char* bad : {"", "fast", "2MiB", "2 MiB/h", "-1MiB/s", "MiB/s", "1.2.3MiB/s", "2mib/s"}) {
    auto rate = ParseRate(bad);
    EXPECT_FALSE(rate.ok()) << bad;
    EXPECT_NE(rate.status().message().find("rate"), std::string::npos) << rate.status().message();
  }
  EXPECT_NE(ParseRate("100B/s").status().message().find("below 1KiB/s"), std::string::npos);
  EXPECT_FALSE(ParseRate("0MiB/s").ok());
}

TEST(RateTest, FormatsInBinaryUnits) {
  EXPECT_EQ(FormatRate(Rate{2u << 20}), "2 MiB/s");
  EXPECT_EQ(FormatRate(Rate{3u << 29}), "1.5 GiB/s");
  EXPECT_EQ(FormatRate(Rate{2'500'000}), "2.4 MiB/s");
}

}  // namespace
}  // namespace edgesync::limits
