#include "checkout/checkout_retention.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

using namespace std::chrono_literals;
using Clock = CheckoutRetention::Clock;

const Clock::time_point t0{};

TEST(CheckoutRetentionTest, OldVersionsExpireOnlyAfterTheGracePeriod) {
  CheckoutRetention retention({60s, 8});
  retention.Switched("", "v1", t0);
  retention.Switched("v1", "v2", t0);
  retention.Switched("v2", "v3", t0 + 30s);
  EXPECT_TRUE(retention.Expired(t0 + 59s).empty());
  EXPECT_EQ(retention.Expired(t0 + 60s), std::vector<std::string>{"v1"});
  EXPECT_EQ(retention.Expired(t0 + 90s), (std::vector<std::string>{"v1", "v2"}));
}

TEST(CheckoutRetentionTest, ANewDirectoryIsRefusedWhileTheLimitIsWithinGrace) {
  CheckoutRetention retention({60s, 2});
  retention.Switched("", "v1", t0);
  retention.Switched("v1", "v2", t0);
  EXPECT_TRUE(retention.CheckRoomForNew("v2", t0).ok());  // v1, v2 old: two
  retention.Switched("v2", "v3", t0 + 1s);
  Status full = retention.CheckRoomForNew("v3", t0 + 10s);
  EXPECT_EQ(full.code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(full.message().find("expires in 50s"), std::string::npos) << full.message();
  // Once the oldest is removed (expired), there is room again.
  retention.Forget("v1");
  EXPECT_TRUE(retention.CheckRoomForNew("v3", t0 + 60s).ok());
}

TEST(CheckoutRetentionTest, SwitchingBackMakesAnOldVersionCurrent) {
  CheckoutRetention retention({60s, 8});
  retention.Switched("", "v1", t0);
  retention.Switched("v1", "v2", t0);
  retention.Switched("v2", "v1", t0 + 10s);
  EXPECT_EQ(retention.Expired(t0 + 69s), std::vector<std::string>{}) << "v1 is current again";
  EXPECT_EQ(retention.Expired(t0 + 70s), std::vector<std::string>{"v2"});
}

TEST(CheckoutRetentionTest, DirectoriesFoundOnDiskGetAFullGracePeriod) {
  CheckoutRetention retention({60s, 8});
  retention.Observe({"a", "b"}, t0 + 100s);  // e.g. after a restart
  EXPECT_TRUE(retention.Expired(t0 + 159s).empty());
  retention.Observe({"b"}, t0 + 159s);  // "a" is gone: forgotten
  EXPECT_EQ(retention.Expired(t0 + 160s), std::vector<std::string>{"b"});
}

}  // namespace
}  // namespace edgesync
