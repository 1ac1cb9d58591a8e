#include "quota/eviction_choice.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

EvictionCandidate Candidate(std::string id, uint64_t last_used_ms, uint64_t bytes = 10) {
  EvictionCandidate c;
  c.key = "dataset/" + id;
  c.version_id = id;
  c.author = "cloud";
  c.bytes = bytes;
  c.last_used_ms = last_used_ms;
  c.peer_holds = true;
  return c;
}

std::vector<std::string> Ids(const std::vector<EvictionCandidate>& chosen) {
  std::vector<std::string> ids;
  for (const auto& c : chosen) ids.push_back(c.version_id);
  return ids;
}

TEST(EvictionChoiceTest, LeastRecentlyUsedFirstUntilEnoughBytes) {
  std::vector<EvictionCandidate> all = {Candidate("c", 300), Candidate("a", 100), Candidate("b", 200),
                                        Candidate("d", 400)};
  EXPECT_EQ(Ids(ChooseEvictions(all, "edge", 15)), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Ids(ChooseEvictions(all, "edge", 10)), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Ids(ChooseEvictions(all, "edge", 1000)), (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(EvictionChoiceTest, NeverVersionsWrittenHereProtectedIncompleteEvictedOrHeldByNoConnectedPeer) {
  std::vector<EvictionCandidate> all;
  all.push_back(Candidate("mine", 1));
  all.back().author = "edge";
  all.push_back(Candidate("pinned", 2));
  all.back().is_protected = true;
  all.push_back(Candidate("partial", 3));
  all.back().complete = false;
  all.push_back(Candidate("gone", 4));
  all.back().evicted = true;
  all.push_back(Candidate("orphan", 5));
  all.back().peer_holds = false;
  all.push_back(Candidate("ok", 6));
  EXPECT_EQ(Ids(ChooseEvictions(all, "edge", 1000)), std::vector<std::string>{"ok"});
  all.pop_back();
  EXPECT_TRUE(ChooseEvictions(all, "edge", 1).empty());
}

}  // namespace
}  // namespace edgesync
