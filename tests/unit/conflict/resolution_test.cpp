#include "conflict/resolution.h"

#include <gtest/gtest.h>

namespace edgesync::conflict {
namespace {

Head Model(const std::string& node, uint64_t counter, HlcStamp hlc, const std::string& spec) {
  Head h;
  h.record.vector = VersionVector({{node, counter}});
  h.record.hlc = hlc;
  h.record.author = node;
  h.manifest.spec_json = spec;
  h.record.manifest_id = ManifestId(h.manifest.Encode());
  h.id = h.record.Id("model/m");
  return h;
}

TEST(ResolutionTest, IdenticalRecordWhateverTheOrderOfHeads) {
  Head a = Model("a", 1, 100, R"({"kind":"model","metrics":{"mAP":{"value":0.8}}})");
  Head b = Model("b", 1, 200, R"({"kind":"model","metrics":{"mAP":{"value":0.7}}})");
  auto lww = ConflictPolicy::Parse("lww").value();
  auto r1 = Resolve(lww, {a, b});
  auto r2 = Resolve(lww, {b, a});
  ASSERT_TRUE(r1.ok() && r2.ok() && r1->has_value());
  EXPECT_EQ((*r1)->record, (*r2)->record);
  EXPECT_EQ((*r1)->record.vector.ToString(), "a:1,b:1");  // join, no increment
  EXPECT_EQ((*r1)->record.hlc, 200u);
  EXPECT_EQ((*r1)->record.author, kResolvedAuthor);
  EXPECT_EQ((*r1)->winner, b.id);
  EXPECT_FALSE(Resolve(ConflictPolicy{}, {a, b})->has_value());  // keep-both
  EXPECT_FALSE(Resolve(lww, {a})->has_value());
}

TEST(ResolutionTest, BestMetricFollowsDirectionMissingMetricLosesTombstoneFollowsLww) {
  auto policy = ConflictPolicy::Parse("best-metric:mAP").value();
  Head good = Model("a", 1, 100, R"({"metrics":{"mAP":{"value":0.9,"direction":"higher"}}})");
  Head newer = Model("b", 1, 300, R"({"metrics":{"mAP":{"value":0.5,"direction":"higher"}}})");
  Head none = Model("c", 1, 400, R"({"metrics":{}})");
  EXPECT_EQ((*Resolve(policy, {good, newer, none}))->winner, good.id);
  auto latency = ConflictPolicy::Parse("best-metric:latency_ms").value();
  Head fast = Model("a", 1, 100, R"({"metrics":{"latency_ms":{"value":5,"direction":"lower"}}})");
  Head slow = Model("b", 1, 300, R"({"metrics":{"latency_ms":{"value":9,"direction":"lower"}}})");
  EXPECT_EQ((*Resolve(latency, {slow, fast}))->winner, fast.id);
  Head tie = Model("b", 1, 300, R"({"metrics":{"mAP":{"value":0.9,"direction":"higher"}}})");
  EXPECT_EQ((*Resolve(policy, {good, tie}))->winner, tie.id);  // tie -> lww
  Head tomb;
  tomb.record.vector = VersionVector({{"d", 1}});
  tomb.record.hlc = 500;
  tomb.record.author = "d";
  tomb.record.tombstone = true;
  tomb.id = tomb.record.Id("model/m");
  auto r = Resolve(policy, {good, tomb});
  EXPECT_TRUE((*r)->record.tombstone);  // newer delete wins by lww
  tomb.record.hlc = 50;
  EXPECT_EQ((*Resolve(policy, {good, tomb}))->winner, good.id);
}

TEST(ResolutionTest, MergeTakesEachFieldFromItsNewestWriter) {
  auto merge = ConflictPolicy::Parse("merge").value();
  Head a = Model("a", 1, 100, R"({"kind":"meta","fields":{"x":{"value":1,"hlc":10,"node":"a"},"y":{"value":"old","hlc":10,"node":"a"}}})");
  Head b = Model("b", 1, 200, R"({"kind":"meta","fields":{"y":{"value":"new","hlc":20,"node":"b"},"z":{"deleted":true,"hlc":20,"node":"b"}}})");
  auto r1 = Resolve(merge, {a, b});
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  ASSERT_TRUE(r1->has_value());
  EXPECT_EQ((*r1)->winner, "merge");
  EXPECT_EQ((*Resolve(merge, {b, a}))->manifest.Encode(), (*r1)->manifest.Encode());
  EXPECT_NE((*r1)->manifest.spec_json.find("\"new\""), std::string::npos);
  EXPECT_NE((*r1)->manifest.spec_json.find("\"x\""), std::string::npos);
}

TEST(PolicyTableTest, MostSpecificRuleWins) {
  auto table = PolicyTable::FromDocumentView(R"({"model":"lww","model/helmet*":"best-metric:mAP","dataset":"lww"})");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->For("model/helmet-v2").ToString(), "best-metric:mAP");
  EXPECT_EQ(table->For("model/other").ToString(), "lww");
  EXPECT_EQ(table->For("meta/x").ToString(), "merge");
  EXPECT_EQ(PolicyTable().For("model/x").ToString(), "keep-both");
  EXPECT_EQ(PolicyTable().For("dataset/x").ToString(), "keep-both");
  auto bad = PolicyTable::FromDocumentView(R"({"model":"newest"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown conflict policy 'newest'"), std::string::npos);
}

}  // namespace
}  // namespace edgesync::conflict
