// keep-both (the dataset default): after healing, the conflict is listed on both nodes with
// both heads and waits for a human (`resolve --keep`) or for a policy change (`dataset=lww`).
#include "tests/integration/conflict/partition_fixture.h"
#include "tests/support/poll_until.h"

#include <algorithm>
#include <iostream>

namespace edgesync::testing {
namespace {

using nlohmann::json;

class KeepBothTest : public PartitionFixture {
 protected:
  // The entry of `key` in `conflicts --json` on `node`; null when not listed.
  json ConflictOf(const TestNode& node, const std::string& key) {
    json listed = CliJson(node, {"conflicts"});
    if (!listed.is_object()) return nullptr;
    for (const json& c : listed["conflicts"]) {
      if (c.value("key", "") == key) return c;
    }
    return nullptr;
  }
  std::vector<std::string> ConflictHeads(const TestNode& node, const std::string& key) {
    std::vector<std::string> ids;
    json c = ConflictOf(node, key);
    if (c.is_null()) return ids;
    for (const json& head : c["heads"]) ids.push_back(head.value("version", ""));
    std::sort(ids.begin(), ids.end());
    return ids;
  }
};

TEST_F(KeepBothTest, DatasetConflictWaitsForKeepOrPolicyChange) {
  StartLinked();
  // The command of docs/conflicts.md; a policy text that does not parse is refused.
  ProcessResult set = Cli(*a_, {"meta", "set", "meta/policy", "model=keep-both",
                                "model/helmet*=best-metric:mAP"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  json policy = CliJson(*a_, {"meta", "get", "meta/policy"});
  ASSERT_TRUE(policy.is_object());
  EXPECT_EQ(policy["fields"],
            json({{"model", "keep-both"}, {"model/helmet*", "best-metric:mAP"}}));
  EXPECT_EQ(Cli(*a_, {"meta", "set", "meta/policy", "dataset=newest"}).exit_code, 1);

  PutDataset(*a_, "dataset/site-a", "1,base");
  PutDataset(*a_, "dataset/site-b", "1,base");
  std::string version;
  ASSERT_TRUE(ConvergedOnOneHead("dataset/site-a", &version));
  ASSERT_TRUE(ConvergedOnOneHead("dataset/site-b", &version));
  ASSERT_TRUE(ConvergedOnOneHead("meta/policy", &version));

  Partition();
  PutDataset(*a_, "dataset/site-a", "2,from-a");
  PutDataset(*b_, "dataset/site-a", "3,from-b");
  PutDataset(*a_, "dataset/site-b", "2,from-a");
  PutDataset(*b_, "dataset/site-b", "3,from-b");  // the newest write: lww's winner later
  Heal();

  ASSERT_TRUE(PollUntil(
      [&] {
        return ConflictHeads(*a_, "dataset/site-a").size() == 2 &&
               ConflictHeads(*b_, "dataset/site-a").size() == 2 &&
               ConflictHeads(*a_, "dataset/site-b").size() == 2 &&
               ConflictHeads(*b_, "dataset/site-b").size() == 2;
      },
      std::chrono::seconds(60)))
      << ReadFileText(b_->log());
  EXPECT_EQ(ConflictHeads(*a_, "dataset/site-a"), ConflictHeads(*b_, "dataset/site-a"));
  json listed = ConflictOf(*a_, "dataset/site-a");
  EXPECT_EQ(listed.value("policy", ""), "keep-both");
  std::string a_head;
  for (const json& head : listed["heads"]) {
    EXPECT_FALSE(head.value("changes", json::array()).empty()) << head;
    EXPECT_FALSE(head.value("tombstone", true));
    if (head.value("author", "") == "node-a") a_head = head.value("version", "");
  }
  ASSERT_FALSE(a_head.empty()) << listed;
  ProcessResult human = Cli(*a_, {"conflicts"});
  EXPECT_NE(human.out.find("dataset/site-a"), std::string::npos) << human.out;
  for (const std::string& id : ConflictHeads(*a_, "dataset/site-a")) {
    EXPECT_NE(human.out.find(id), std::string::npos) << human.out;
  }
  std::cout << human.out;  // the operator's view, kept in the test log

  // keep-both does not resolve by itself, not even on request; a human keeps a's head on b.
  EXPECT_EQ(Cli(*b_, {"resolve", "dataset/site-a", "--merge"}).exit_code, 1);
  ProcessResult keep = Cli(*b_, {"resolve", "dataset/site-a", "--keep", a_head});
  ASSERT_EQ(keep.exit_code, 0) << keep.err;
  ASSERT_TRUE(ConvergedOnOneHead("dataset/site-a", &version));
  EXPECT_EQ(ReadLatest(*a_, "dataset/site-a", "data.csv"), "value,label\n2,from-a\n");
  EXPECT_EQ(ReadLatest(*b_, "dataset/site-a", "data.csv"), "value,label\n2,from-a\n");
  EXPECT_EQ(ConflictHeads(*a_, "dataset/site-b").size(), 2u);

  // A policy change re-examines the waiting conflict on both nodes.
  ASSERT_EQ(Cli(*a_, {"meta", "set", "meta/policy", "dataset=lww"}).exit_code, 0);
  ASSERT_TRUE(ConvergedOnOneHead("dataset/site-b", &version)) << ReadFileText(b_->log());
  EXPECT_EQ(ReadLatest(*a_, "dataset/site-b", "data.csv"), "value,label\n3,from-b\n");
  EXPECT_EQ(ReadLatest(*b_, "dataset/site-b", "data.csv"), "value,label\n3,from-b\n");
  for (const TestNode* node : {a_, b_}) {
    json conflicts = CliJson(*node, {"conflicts"});
    ASSERT_TRUE(conflicts.is_object()) << node->name;
    EXPECT_TRUE(conflicts["conflicts"].empty()) << conflicts;
  }
}

}  // namespace
}  // namespace edgesync::testing
