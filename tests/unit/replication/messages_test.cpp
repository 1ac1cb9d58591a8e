#include "replication/messages.h"
#include "replication/messages.pb.h"

#include <gtest/gtest.h>

namespace edgesync::replication {
namespace {

VersionRecord Record() {
  VersionRecord r;
  r.vector = VersionVector({{"a", 3}, {"b", 1}});
  r.hlc = 12345;
  r.author = "a";
  r.manifest_id = ChunkId::Of("m", 1);
  return r;
}

TEST(MessagesTest, ChangesBatchRoundTrip) {
  ChangesBatch b;
  b.changes.push_back({"model/x", {Record()}});
  VersionRecord tomb = Record();
  tomb.tombstone = true;
  tomb.manifest_id = ChunkId{};
  b.changes.push_back({"meta/y", {tomb}});
  b.upto = 9;
  b.more = true;
  b.latest = 11;
  auto back = DecodeChangesBatch(Encode(b));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->changes.size(), 2u);
  EXPECT_EQ(back->changes[0].heads[0], Record());
  EXPECT_EQ(back->changes[1].heads[0], tomb);
  EXPECT_EQ(back->upto, 9u);
  EXPECT_TRUE(back->more);
  EXPECT_EQ(back->latest, 11u);
  EXPECT_FALSE(back->purge.has_value());

  b.purge = PurgeNotice{1'700'000'000'000, 42};
  auto noticed = DecodeChangesBatch(Encode(b));
  ASSERT_TRUE(noticed.ok());
  ASSERT_TRUE(noticed->purge.has_value());
  EXPECT_EQ(noticed->purge->horizon_ms, 1'700'000'000'000u);
  EXPECT_EQ(noticed->purge->your_log_read_upto, 42u);
}

TEST(MessagesTest, HostileBatchesAreRefusedWithReasons) {
  ChangesBatch traversal;
  traversal.changes.push_back({"model/../etc", {Record()}});
  EXPECT_NE(DecodeChangesBatch(Encode(traversal)).status().message().find("'.' or '..'"), std::string::npos);
  ChangesBatch absurd;
  VersionRecord r = Record();
  r.vector.Set("a", ~0ull);
  absurd.changes.push_back({"model/x", {r}});
  EXPECT_NE(DecodeChangesBatch(Encode(absurd)).status().message().find("absurd counter"), std::string::npos);
  ChangesBatch empty_heads;
  empty_heads.changes.push_back({"model/x", {}});
  EXPECT_FALSE(DecodeChangesBatch(Encode(empty_heads)).ok());
  EXPECT_FALSE(DecodeChangesBatch("\xff\xff\xff garbage").ok());
  EXPECT_FALSE(DecodeChunkRequest(std::string("\x0a\x03" "abc", 5)).ok());  // id of 3 bytes
}

TEST(MessagesTest, ChunkMessagesRoundTrip) {
  std::vector<ChunkId> ids = {ChunkId::Of("a", 1), ChunkId::Of("b", 1)};
  auto back = DecodeChunkRequest(Encode(ChunkRequest{ids, {std::nullopt, ids[0]}}));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->ids, ids);
  EXPECT_EQ(back->bases[1], ids[0]);
  EXPECT_FALSE(back->bases[0].has_value());
  EXPECT_EQ(back->priority, limits::PriorityClass::kNormal);
  for (auto cls : {limits::PriorityClass::kUrgent, limits::PriorityClass::kBulk}) {
    ChunkRequest classed{ids, {}, cls};
    EXPECT_EQ(DecodeChunkRequest(Encode(classed))->priority, cls);
  }
  // From a peer that names no class (older versions), or one unknown here: normal.
  const std::string bare = std::string("\x0a\x10") + std::string(ids[0].AsBytes());
  EXPECT_EQ(DecodeChunkRequest(bare)->priority, limits::PriorityClass::kNormal);
  EXPECT_EQ(DecodeChunkRequest(bare + "\x18\x09")->priority, limits::PriorityClass::kNormal);
  const std::string encoded = Encode(ChunkData{ids[0], true, "bytes"});
  auto data = DecodeChunkData(encoded);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->id, ids[0]);
  EXPECT_TRUE(data->found);
  EXPECT_EQ(data->data, "bytes");
  EXPECT_EQ(data->encoding, ChunkEncoding::kRaw);
  const std::string delta = Encode(ChunkData{ids[1], true, "zz", ChunkEncoding::kZstdWithBase, ids[0]});
  auto with_base = DecodeChunkData(delta);
  ASSERT_TRUE(with_base.ok());
  EXPECT_EQ(with_base->encoding, ChunkEncoding::kZstdWithBase);
  EXPECT_EQ(with_base->base, ids[0]);
  EXPECT_EQ(with_base->data, "zz");
  // What protobuf refuses is refused too: a truncated message, a bad id, an unknown encoding.
  EXPECT_FALSE(DecodeChunkData(std::string_view(encoded).substr(0, encoded.size() - 2)).ok());
  EXPECT_FALSE(DecodeChunkData(Encode(ChunkData{ids[0], true, "x"}).substr(2)).ok());
  wire::ChunkData odd;
  odd.set_id(std::string(ids[0].AsBytes()));
  odd.set_encoding(static_cast<wire::ChunkEncoding>(9));
  EXPECT_FALSE(DecodeChunkData(odd.SerializeAsString()).ok());
  EXPECT_EQ(*DecodePoke(EncodePoke(77)), 77u);
}

TEST(MessagesTest, RequestsNameTheVersionTheyAreFor) {
  const ChunkId id = ChunkId::Of("m", 1);
  const RequestedVersion version{"dataset/site-a/frames", "0123456789abcdef"};
  auto manifest = DecodeManifestRequest(Encode(ManifestRequest{id, version}));
  ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
  EXPECT_EQ(manifest->manifest_id, id);
  EXPECT_EQ(manifest->version.key, version.key);
  EXPECT_EQ(manifest->version.version_id, version.version_id);
  ChunkRequest chunks{{id}, {}, limits::PriorityClass::kBulk, version};
  auto back = DecodeChunkRequest(Encode(chunks));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->version.key, version.key);
  EXPECT_EQ(back->version.version_id, version.version_id);
  // Older peers name none; a named one must be a valid key and version id.
  EXPECT_TRUE(DecodeManifestRequest(Encode(ManifestRequest{id, {}}))->version.key.empty());
  for (const RequestedVersion& bad : {RequestedVersion{"../x", "0123456789abcdef"},
                                      RequestedVersion{"model/a", "not-an-id"}, RequestedVersion{"", "0123456789abcdef"}}) {
    EXPECT_FALSE(DecodeManifestRequest(Encode(ManifestRequest{id, bad})).ok()) << bad.key;
    EXPECT_FALSE(DecodeChunkRequest(Encode(ChunkRequest{{id}, {}, limits::PriorityClass::kNormal, bad})).ok()) << bad.key;
  }
}

TEST(MessagesTest, ChunkAvailabilityRoundTripAndBounds) {
  ChunkAvailability a{"model/x", "0123456789abcdef", std::string("\x05\x80", 2), true};
  auto back = DecodeChunkAvailability(Encode(a));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->key, "model/x");
  EXPECT_EQ(back->version_id, "0123456789abcdef");
  EXPECT_EQ(back->held, a.held);
  EXPECT_TRUE(back->fetching_all);

  ChunkAvailability bad_key = a;
  bad_key.key = "../etc";
  EXPECT_FALSE(DecodeChunkAvailability(Encode(bad_key)).ok());
  ChunkAvailability bad_version = a;
  bad_version.version_id = "not-a-version-id";
  EXPECT_EQ(DecodeChunkAvailability(Encode(bad_version)).status().message(), "chunk availability: bad version id");
  ChunkAvailability huge = a;
  huge.held.assign(kMaxAvailabilityChunks / 8 + 1, '\xff');
  auto refused = DecodeChunkAvailability(Encode(huge));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("exceeds"), std::string::npos) << refused.status().message();
  EXPECT_FALSE(DecodeChunkAvailability("\xff\xff\xff").ok());
}

}  // namespace
}  // namespace edgesync::replication
