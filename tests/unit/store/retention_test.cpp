#include "store/retention.h"

#include <gtest/gtest.h>

#include <map>

#include "store/hlc.h"

namespace edgesync {
namespace {

constexpr uint64_t kDay = 24ull * 3600 * 1000;
constexpr uint64_t kNow = 400 * kDay;

ChunkId IdOf(const std::string& text) { return ChunkId::Of(text.data(), text.size()); }

// Version `n` of a line of history written by one node, `age_days` old; versions of the same
// line dominate their predecessors.
VersionRecord Version(int n, uint64_t age_days, const std::string& node = "a") {
  VersionRecord r;
  for (int i = 0; i < n; ++i) r.vector.Increment(node);
  r.hlc = (kNow - age_days * kDay) << 16;
  r.author = node;
  r.manifest_id = IdOf(std::to_string(n) + node);
  return r;
}

std::vector<std::string> Dropped(const std::vector<RetentionVerdict>& plan) {
  std::vector<std::string> out;
  for (const auto& v : plan)
    if (!v.keep) out.push_back(v.why);
  return out;
}

TEST(RetentionTest, KeepsTheNewestKeepVersionsAndSaysWhenEachDrops) {
  std::vector<VersionRecord> versions;
  for (int n = 1; n <= 5; ++n) versions.push_back(Version(n, 10 - n));
  RetentionFacts facts{{versions.back()}, {}, {}, kNow};
  auto plan = DecideRetention("model/m", versions, {3, 0}, facts);
  ASSERT_EQ(plan.size(), 5u);
  EXPECT_EQ(plan[0].why, "head");
  EXPECT_TRUE(plan[0].is_protected);
  EXPECT_TRUE(plan[1].keep);
  EXPECT_EQ(plan[1].drops_after_versions, 2u);
  EXPECT_EQ(plan[2].drops_after_versions, 1u);  // the next one to go
  EXPECT_EQ(plan[2].drops_at_ms, 0u);           // no age limit
  EXPECT_FALSE(plan[3].keep);
  EXPECT_EQ(plan[3].why, "beyond keep_versions 3");
  EXPECT_FALSE(plan[4].keep);
}

TEST(RetentionTest, KeepForDropsOldVersionsEvenWithinTheCount) {
  std::vector<VersionRecord> versions = {Version(1, 40), Version(2, 20), Version(3, 1)};
  RetentionFacts facts{{versions.back()}, {}, {}, kNow};
  auto plan = DecideRetention("model/m", versions, {10, 30 * kDay}, facts);
  EXPECT_EQ(Dropped(plan), std::vector<std::string>{"older than keep_for"});
  EXPECT_EQ(plan[1].drops_at_ms, kNow + 10 * kDay);  // 20 days old, kept for 30
  // The head is kept however old it is.
  RetentionFacts old_head{{versions.front()}, {}, {}, kNow};
  EXPECT_TRUE(DecideRetention("model/m", {versions.front()}, {10, kDay}, old_head)[0].keep);
}

TEST(RetentionTest, PinnedHeldAndConflictAncestorsAreNeverDropped) {
  // a:1 <- a:2 <- {a:3, a:2+b:1} in conflict; a:2 is their common ancestor.
  VersionRecord v1 = Version(1, 50), v2 = Version(2, 40), left = Version(3, 3);
  VersionRecord right = v2;
  right.vector.Increment("b");
  right.hlc = (kNow - 2 * kDay) << 16;
  right.author = "b";
  right.manifest_id = IdOf("right");
  std::vector<VersionRecord> older;
  for (int n = 0; n < 4; ++n) {
    VersionRecord r = Version(1, 60 + n, "c");  // unrelated old versions, to push past the count
    r.manifest_id = IdOf("old" + std::to_string(n));
    older.push_back(r);
  }
  std::vector<VersionRecord> versions = {v1, v2, left, right};
  versions.insert(versions.end(), older.begin(), older.end());
  RetentionFacts facts{{left, right}, {older[0].manifest_id}, {older[1].Id("model/m")}, kNow};
  auto plan = DecideRetention("model/m", versions, {1, kDay}, facts);
  std::map<std::string, std::string> why;
  for (const auto& v : plan) why[v.version_id] = (v.keep ? "keep " : "drop ") + v.why;
  EXPECT_EQ(why[left.Id("model/m")], "keep head");
  EXPECT_EQ(why[right.Id("model/m")], "keep head");
  EXPECT_EQ(why[v2.Id("model/m")], "keep conflict ancestor");
  EXPECT_EQ(why[v1.Id("model/m")], "drop beyond keep_versions 1");
  EXPECT_EQ(why[older[0].Id("model/m")], "keep pinned");
  EXPECT_EQ(why[older[1].Id("model/m")], "keep held");
  EXPECT_EQ(why[older[2].Id("model/m")], "drop beyond keep_versions 1");
}

TEST(RetentionTest, TheFirstMatchingGlobDecides) {
  RetentionPolicy policy;
  policy.defaults = {10, 0};
  policy.overrides = {{"dataset/*", {2, kDay}}, {"dataset/big/*", {1, 0}}, {"model/*/edge", {5, 0}}};
  EXPECT_EQ(policy.For("dataset/big/x"), (RetentionRule{2, kDay}));  // the first match wins
  EXPECT_EQ(policy.For("model/a/b/edge"), (RetentionRule{5, 0}));    // `*` crosses '/'
  EXPECT_EQ(policy.For("model/a"), (RetentionRule{10, 0}));
}

}  // namespace
}  // namespace edgesync
