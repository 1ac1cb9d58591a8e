#include "replication/stream_verifier.h"

#include <gtest/gtest.h>

#include <map>

namespace edgesync::replication {
namespace {

// Chunks in memory; counts reads so tests see what was read back.
class MemoryChunks : public ChunkStore {
 public:
  Result<bool> Contains(const ChunkId& id) override { return chunks_.count(id) > 0; }
  Status Get(const ChunkId& id, std::string* out) override {
    ++reads;
    auto it = chunks_.find(id);
    if (it == chunks_.end()) return Status::NotFound("no chunk");
    *out = it->second;
    return Status::Ok();
  }
  Status Put(const ChunkId& id, std::string_view data) override {
    chunks_[id] = std::string(data);
    return Status::Ok();
  }
  std::unique_ptr<ChunkWriter> NewWriter(const ChunkWriterOptions&) override { return nullptr; }
  Status Erase(const std::vector<ChunkId>&) override { return Status::Ok(); }
  int reads = 0;

 private:
  std::map<ChunkId, std::string> chunks_;
};

struct Piece {
  ChunkId id;
  std::string bytes;
};

Piece MakePiece(const std::string& text) { return {ChunkId::Of(text.data(), text.size()), text}; }

FileEntry MakeFile(const std::string& path, const std::vector<Piece>& pieces) {
  FileEntry f;
  f.path = path;
  Sha256 sha;
  for (const auto& p : pieces) {
    f.chunks.push_back({p.id, static_cast<uint32_t>(p.bytes.size())});
    f.size += p.bytes.size();
    sha.Update(p.bytes.data(), p.bytes.size());
  }
  f.sha256 = sha.FinishHex();
  return f;
}

std::unordered_set<ChunkId, ChunkIdHash> Ids(const std::vector<Piece>& pieces) {
  std::unordered_set<ChunkId, ChunkIdHash> out;
  for (const auto& p : pieces) out.insert(p.id);
  return out;
}

TEST(StreamVerifierTest, HashesInOrderAndEarlyChunksWithinTheBound) {
  MemoryChunks store;
  Piece a = MakePiece("alpha"), b = MakePiece("bravo"), c = MakePiece("charlie");
  StreamVerifier v(store, {MakeFile("x", {a, b, c})}, Ids({a, b, c}), 1 << 20);
  v.Start();
  v.Offer(c.id, c.bytes);  // early: held
  v.Offer(a.id, a.bytes);
  EXPECT_TRUE(v.VerifiedPaths().empty());
  v.Offer(b.id, b.bytes);
  EXPECT_EQ(v.VerifiedPaths(), std::set<std::string>{"x"});
  EXPECT_EQ(store.reads, 0);
}

TEST(StreamVerifierTest, ReadsChunksHeldBeforeTheTransferAndRepeatedContent) {
  MemoryChunks store;
  Piece a = MakePiece("already here"), b = MakePiece("fetched"), z = MakePiece("zeros");
  ASSERT_TRUE(store.Put(a.id, a.bytes).ok());
  StreamVerifier v(store, {MakeFile("x", {a, b, z, z, b}), MakeFile("y", {z})}, Ids({b, z}), 1 << 20);
  v.Start();
  v.Offer(z.id, z.bytes);
  v.Offer(b.id, b.bytes);
  EXPECT_EQ(v.VerifiedPaths(), (std::set<std::string>{"x", "y"}));
  EXPECT_EQ(store.reads, 1);
}

// An early chunk over the bound is not kept: its file waits at it until the chunk is readable
// from the store (its batch written), then hashes it from there. Until then, and if it never
// is, the file is left to the store's own check.
TEST(StreamVerifierTest, AnEarlyChunkNotKeptIsReadBackOnceStored) {
  MemoryChunks store;
  Piece a = MakePiece("first piece"), b = MakePiece("second piece");
  Piece c = MakePiece("third piece"), d = MakePiece("fourth piece");
  StreamVerifier v(store, {MakeFile("x", {a, b}), MakeFile("y", {c, d})}, Ids({a, b, c, d}),
                   /*max_held_bytes=*/4);
  v.Start();
  v.Offer(b.id, b.bytes);  // early and larger than the bound: not kept
  v.Offer(d.id, d.bytes);
  v.Offer(a.id, a.bytes);
  v.Offer(c.id, c.bytes);
  EXPECT_TRUE(v.VerifiedPaths().empty());
  v.Resume();  // nothing written yet: both still wait
  EXPECT_TRUE(v.VerifiedPaths().empty());
  ASSERT_TRUE(store.Put(b.id, b.bytes).ok());
  const int reads_before = store.reads;
  v.Resume();
  EXPECT_EQ(v.VerifiedPaths(), std::set<std::string>{"x"});
  EXPECT_EQ(store.reads, reads_before + 2);  // b for x; d for y, still missing
}

TEST(StreamVerifierTest, DoesNotVouchForBytesThatMissTheFileHash) {
  MemoryChunks store;
  Piece a = MakePiece("one"), b = MakePiece("two");
  FileEntry wrong = MakeFile("x", {a, b});
  wrong.sha256 = MakeFile("x", {b, a}).sha256;
  FileEntry short_size = MakeFile("y", {a});
  short_size.size += 1;
  StreamVerifier v(store, {wrong, short_size}, Ids({a, b}), 1 << 20);
  v.Start();
  v.Offer(a.id, a.bytes);
  v.Offer(b.id, b.bytes);
  EXPECT_TRUE(v.VerifiedPaths().empty());
}

}  // namespace
}  // namespace edgesync::replication
