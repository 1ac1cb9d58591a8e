// WaitTarget: parsing `put --wait` and judging the fleet against it.
#include "control/wait_target.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

using replication::PeerHolding;

TEST(WaitTargetTest, ParsesCountsAndLabelsAndRefusesTheRest) {
  EXPECT_EQ(WaitTarget::Parse("2")->peers, 2u);
  auto label = WaitTarget::Parse("role=edge");
  ASSERT_TRUE(label.ok());
  EXPECT_EQ(label->label_key, "role");
  EXPECT_EQ(label->label_value, "edge");
  EXPECT_EQ(label->ToString(), "role=edge");
  for (const char* bad : {"", "0", "-1", "2x", "role", "=edge", "role="}) {
    EXPECT_FALSE(WaitTarget::Parse(bad).ok()) << bad;
  }
}

TEST(WaitTargetTest, LabelTargetNeedsEveryMatchingPeerAndNamesTheMissing) {
  auto target = *WaitTarget::Parse("role=edge");
  std::vector<PeerHolding> fleet = {{"edge-1", {{"role", "edge"}}, true, true},
                                    {"edge-2", {{"role", "edge"}}, false, false},
                                    {"cloud-1", {{"role", "cloud"}}, true, false}};
  WaitProgress p = Evaluate(target, fleet);
  EXPECT_FALSE(p.met);
  EXPECT_EQ(p.holders, std::vector<std::string>{"edge-1"});
  EXPECT_EQ(p.missing, std::vector<std::string>{"edge-2 (disconnected)"});
  EXPECT_EQ(p.summary, "1 of 2 role=edge nodes hold it");
  fleet[1].holds = true;
  EXPECT_TRUE(Evaluate(target, fleet).met);
  // No known node with the label: not met.
  EXPECT_FALSE(Evaluate(*WaitTarget::Parse("site=x"), fleet).met);
}

TEST(WaitTargetTest, CountTargetCountsPeersHoldingIt) {
  std::vector<PeerHolding> fleet = {{"a", {}, true, true}, {"b", {}, true, false}};
  EXPECT_TRUE(Evaluate(*WaitTarget::Parse("1"), fleet).met);
  WaitProgress two = Evaluate(*WaitTarget::Parse("2"), fleet);
  EXPECT_FALSE(two.met);
  EXPECT_EQ(two.missing, std::vector<std::string>{"b"});
}

}  // namespace
}  // namespace edgesync
