#include "checkout/release_rules.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

using nlohmann::json;

// The document's fields after `rules` were released in order.
json Fields(const std::vector<ReleaseRule>& rules) {
  json fields = json::object();
  for (const ReleaseRule& rule : rules) fields[ReleaseFieldName(rule)] = ReleaseFieldValue(rule);
  return fields;
}

ReleaseRule Rule(std::string version, uint64_t at_ms, std::map<std::string, std::string> where = {}) {
  ReleaseRule rule;
  rule.key = "model/det";
  rule.channel = "stable";
  rule.version = std::move(version);
  rule.at_ms = at_ms;
  rule.where = std::move(where);
  return rule;
}

TEST(ReleaseRulesTest, TheNewestRuleForTheNodesLabelsWins) {
  const json fields = Fields({Rule("v1", 100), Rule("v2", 200, {{"site", "a"}})});
  EXPECT_EQ(ResolveRelease(fields, "model/det", "stable", {{"site", "a"}}, 1000).now->version, "v2");
  EXPECT_EQ(ResolveRelease(fields, "model/det", "stable", {{"site", "b"}}, 1000).now->version, "v1");
  EXPECT_FALSE(ResolveRelease(fields, "model/det", "beta", {}, 1000).now.has_value());
  EXPECT_FALSE(ResolveRelease(fields, "model/other", "stable", {}, 1000).now.has_value());
  // Promotion: a newer fleet-wide rule wins over the canary.
  const json promoted = Fields({Rule("v1", 100), Rule("v2", 200, {{"site", "a"}}), Rule("v3", 300)});
  EXPECT_EQ(ResolveRelease(promoted, "model/det", "stable", {{"site", "a"}}, 1000).now->version, "v3");
  // Fields that are not rules are ignored.
  json junk = fields;
  junk["note"] = "hello";
  junk["model/det@stable@nolabel"] = {{"version", "v9"}};
  EXPECT_EQ(ResolveRelease(junk, "model/det", "stable", {{"site", "b"}}, 1000).now->version, "v1");
}

TEST(ReleaseRulesTest, AScheduledReleaseNamesTheOldVersionUntilItsTime) {
  ReleaseRule first = Rule("v1", 100);
  ReleaseRule later = Rule("v2", 200);
  later.activate_ms = 5000;
  ScheduleAfter(&later, ReleaseFieldValue(first), 200);
  EXPECT_EQ(later.before_version, "v1");
  const json fields = Fields({later});  // the same field: v1's value is replaced

  ChannelTarget before = ResolveRelease(fields, "model/det", "stable", {}, 4999);
  ASSERT_TRUE(before.now.has_value());
  EXPECT_EQ(before.now->version, "v1");
  ASSERT_TRUE(before.next.has_value());
  EXPECT_EQ(before.next->version, "v2");
  EXPECT_EQ(before.next->activate_ms, 5000u);

  ChannelTarget after = ResolveRelease(fields, "model/det", "stable", {}, 5000);
  EXPECT_EQ(after.now->version, "v2");
  EXPECT_FALSE(after.next.has_value());

  // Scheduled again before the first one activated: the old value stays what is in force.
  ReleaseRule again = Rule("v3", 300);
  again.activate_ms = 9000;
  ScheduleAfter(&again, fields[ReleaseFieldName(later)], 300);
  EXPECT_EQ(again.before_version, "v1");
  // With nothing before it, a scheduled rule applies to nobody until its time.
  ReleaseRule fresh = Rule("v1", 100, {{"site", "a"}});
  fresh.activate_ms = 5000;
  ScheduleAfter(&fresh, json(), 100);
  const ChannelTarget none = ResolveRelease(Fields({fresh}), "model/det", "stable", {{"site", "a"}}, 10);
  EXPECT_FALSE(none.now.has_value());
  EXPECT_EQ(none.next->version, "v1");
}

TEST(ReleaseRulesTest, AScheduledReleaseOvertakenByANewerOneChangesNothing) {
  ReleaseRule canary = Rule("v2", 200, {{"site", "a"}});
  canary.activate_ms = 5000;
  const json fields = Fields({canary, Rule("v3", 300)});  // a fleet-wide release after it
  ChannelTarget target = ResolveRelease(fields, "model/det", "stable", {{"site", "a"}}, 1000);
  EXPECT_EQ(target.now->version, "v3");
  EXPECT_FALSE(target.next.has_value());
}

TEST(ReleaseRulesTest, BadChannelsAndLabelsAreRefused) {
  ReleaseRule rule = Rule("v1", 1);
  EXPECT_TRUE(ValidateReleaseRule(rule).ok());
  rule.channel = "no spaces";
  EXPECT_FALSE(ValidateReleaseRule(rule).ok());
  rule = Rule("v1", 1, {{"site", "a,b"}});
  EXPECT_FALSE(ValidateReleaseRule(rule).ok());
  rule = Rule("", 1);
  EXPECT_FALSE(ValidateReleaseRule(rule).ok());
}

TEST(ReleaseRulesTest, ReleasedVersionsNamesEveryVersionAnyRuleNeedsForAnyNode) {
  ReleaseRule canary = Rule("v2", 200, {{"site", "a"}});
  ReleaseRule scheduled = Rule("v3", 300);
  scheduled.activate_ms = 5000;
  ScheduleAfter(&scheduled, ReleaseFieldValue(Rule("v1", 100)), 1000);
  json fields = Fields({canary, scheduled});
  fields["note"] = "not a rule";
  auto held = ReleasedVersions(fields);
  EXPECT_EQ(held.size(), 1u);
  EXPECT_EQ(held["model/det"], (std::set<std::string>{"v1", "v2", "v3"}));
}

}  // namespace
}  // namespace edgesync
