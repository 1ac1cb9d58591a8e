// Automatic resolution after a partition heals: a metadata document merges field by field, and
// under `model=best-metric:mAP` the better model wins over the newer one, identically on both
// nodes.
#include "tests/integration/conflict/partition_fixture.h"

namespace edgesync::testing {
namespace {

using nlohmann::json;

class PolicyResolutionTest : public PartitionFixture {};

TEST_F(PolicyResolutionTest, MetadataMergesAndBetterModelWinsOnBothNodes) {
  StartLinked();
  ASSERT_EQ(Cli(*a_, {"meta", "set", "meta/policy", "model=best-metric:mAP"}).exit_code, 0);
  ASSERT_EQ(Cli(*a_, {"meta", "set", "meta/site-a", "owner=base", "note=old"}).exit_code, 0);
  PutModel(*a_, "model/helmet", 0.50, "base");
  std::string version;
  ASSERT_TRUE(ConvergedOnOneHead("meta/policy", &version));
  ASSERT_TRUE(ConvergedOnOneHead("meta/site-a", &version));
  ASSERT_TRUE(ConvergedOnOneHead("model/helmet", &version));

  Partition();
  // b writes first, a later: a's owner has the higher stamp; b's model is the newer one.
  ASSERT_EQ(Cli(*b_, {"meta", "set", "meta/site-a", "owner=bob", "cameras=4"}).exit_code, 0);
  ASSERT_EQ(Cli(*a_, {"meta", "set", "meta/site-a", "owner=alice"}).exit_code, 0);
  ASSERT_EQ(Cli(*a_, {"meta", "unset", "meta/site-a", "note"}).exit_code, 0);
  PutModel(*a_, "model/helmet", 0.81, "better");
  PutModel(*b_, "model/helmet", 0.78, "newer");
  ASSERT_NE(Heads(*a_, "model/helmet"), Heads(*b_, "model/helmet"));  // really partitioned

  Heal();
  std::string model_version;
  ASSERT_TRUE(ConvergedOnOneHead("model/helmet", &model_version)) << ReadFileText(a_->log());
  EXPECT_EQ(ReadLatest(*a_, "model/helmet", "weights.bin"), "better");
  EXPECT_EQ(ReadLatest(*b_, "model/helmet", "weights.bin"), "better");

  std::string meta_version;
  ASSERT_TRUE(ConvergedOnOneHead("meta/site-a", &meta_version)) << ReadFileText(a_->log());
  json on_a = CliJson(*a_, {"meta", "get", "meta/site-a"});
  json on_b = CliJson(*b_, {"meta", "get", "meta/site-a"});
  ASSERT_TRUE(on_a.is_object() && on_b.is_object());
  EXPECT_EQ(on_a["fields"], json({{"owner", "alice"}, {"cameras", 4}}));
  EXPECT_EQ(on_a["fields"], on_b["fields"]);
  EXPECT_EQ(on_a["version"], on_b["version"]);

  for (const TestNode* node : {a_, b_}) {
    json conflicts = CliJson(*node, {"conflicts"});
    ASSERT_TRUE(conflicts.is_object()) << node->name;
    EXPECT_TRUE(conflicts["conflicts"].empty()) << conflicts;
  }
}

}  // namespace
}  // namespace edgesync::testing
