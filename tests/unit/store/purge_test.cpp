#include <gtest/gtest.h>

#include <fstream>

#include "store/store.h"
#include "tests/support/temp_dir.h"

namespace edgesync {
namespace {

using testing::RandomBytes;
using testing::TempDir;

ObjectKey Key(const std::string& s) { return ObjectKey::Parse(s).value(); }

bool AllTombstones(const std::vector<VersionRecord>& heads) {
  for (const auto& h : heads)
    if (!h.tombstone) return false;
  return true;
}

class PurgeTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    StoreOptions options;
    options.path = data_ / "store";
    options.node_id = "node-a";
    options.wall_clock_ms = [this] { return now_ms_; };
    store_ = Store::Open(options).value();
  }
  void PutBytes(const std::string& key, const std::string& bytes) {
    { std::ofstream(src_ / "f.bin", std::ios::binary) << bytes; }
    ASSERT_TRUE(store_->Put(Key(key), src_ / "f.bin", "{}").ok());
  }
  uint64_t now_ms_ = 1'700'000'000'000;
  TempDir data_, src_;
  std::unique_ptr<Store> store_;
};

TEST_F(PurgeTest, PurgedKeyLeavesHeadsHistoryLogAndChunks) {
  PutBytes("model/old", RandomBytes(300 << 10, 1));
  PutBytes("model/old", RandomBytes(300 << 10, 2));
  ASSERT_TRUE(store_->Delete(Key("model/old")).ok());
  PutBytes("model/kept", RandomBytes(100 << 10, 3));
  const uint64_t deleted_seq = 3;
  ASSERT_EQ(store_->ChangesSince(0, 10)->size(), 2u);

  auto purged = store_->PurgeKeys(
      [](const std::string&, uint64_t, const std::vector<VersionRecord>& heads) { return AllTombstones(heads); },
      now_ms_);
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(*purged, std::vector<std::string>{"model/old"});

  EXPECT_TRUE(store_->Heads(Key("model/old")).status().IsNotFound());
  EXPECT_TRUE(store_->History(Key("model/old")).status().IsNotFound());
  auto log = store_->ChangesSince(0, 10);
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].key, "model/kept");
  auto mark = store_->LastPurge();
  ASSERT_TRUE(mark.ok());
  EXPECT_EQ(mark->through_seq, deleted_seq);
  EXPECT_EQ(mark->horizon_ms, now_ms_);

  // The two versions' chunks are garbage now; the live key's are not.
  auto gc = store_->CollectGarbage();
  ASSERT_TRUE(gc.ok());
  EXPECT_GE(gc->bytes_deleted, 600u << 10);
  EXPECT_TRUE(store_->Latest(Key("model/kept")).ok());

  // The mark survives a restart; the key can be written again from scratch.
  Reopen();
  EXPECT_EQ(store_->LastPurge()->through_seq, deleted_seq);
  PutBytes("model/old", "again");
  EXPECT_EQ(store_->Latest(Key("model/old"))->record.vector.ToString(), store_->actor() + ":1");
}

TEST_F(PurgeTest, PredicateDecidesAndNothingPurgedLeavesNoMark) {
  PutBytes("model/a", "a");
  ASSERT_TRUE(store_->Delete(Key("model/a")).ok());
  auto none = store_->PurgeKeys([](const std::string&, uint64_t, const std::vector<VersionRecord>&) { return false; },
                                now_ms_);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(store_->LastPurge()->through_seq, 0u);
  EXPECT_TRUE(store_->Heads(Key("model/a")).ok());
}

TEST_F(PurgeTest, PeerReadMarksOnlyGrowAndPersist) {
  auto first = store_->RecordPeerRead("edge-1", 40);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->has_value());  // never read before
  const uint64_t first_at = now_ms_;
  now_ms_ += 5000;
  auto again = store_->RecordPeerRead("edge-1", 0);  // a re-read from zero
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->seq, 40u);
  EXPECT_EQ((*again)->at_ms, first_at);
  ASSERT_TRUE(store_->RecordPeerRead("edge-2", 7).ok());
  Reopen();
  auto reads = store_->PeerReads();
  ASSERT_TRUE(reads.ok());
  ASSERT_EQ(reads->size(), 2u);
  EXPECT_EQ(reads->at("edge-1").seq, 40u);
  EXPECT_EQ(reads->at("edge-1").at_ms, now_ms_);
  EXPECT_EQ(reads->at("edge-2").seq, 7u);
  // Checkpoints are another thing: forgetting them keeps the read marks.
  ASSERT_TRUE(store_->ResetCheckpoints().ok());
  EXPECT_EQ(store_->PeerReads()->size(), 2u);
}

}  // namespace
}  // namespace edgesync
