#include "store/store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "store/rocks_db.h"
#include "store/sha256.h"
#include "tests/support/temp_dir.h"

namespace edgesync {
namespace {

using testing::RandomBytes;
using testing::TempDir;

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::filesystem::path& p, const std::string& data, mode_t mode = 0644) {
  std::filesystem::create_directories(p.parent_path());
  { std::ofstream(p, std::ios::binary) << data; }
  ::chmod(p.c_str(), mode);
}

ObjectKey Key(const std::string& s) { return ObjectKey::Parse(s).value(); }

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen(StoreOptions options = {}) {
    store_.reset();
    options.path = data_ / "store";
    if (options.node_id.empty()) options.node_id = "node-a";
    options.bulk_write_bytes = 8u << 20;
    auto s = Store::Open(options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  TempDir data_, src_, out_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, PutGetRoundTripKeepsBytesAndExecBits) {
  WriteFile(src_ / "weights/model.bin", RandomBytes(3 << 20, 1));
  WriteFile(src_ / "run.sh", "#!/bin/sh\necho hi\n", 0755);
  WriteFile(src_ / "empty.txt", "");
  auto v = store_->Put(Key("model/helmet"), src_.path(), R"({"task":"object_detection"})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->record.vector.ToString(), store_->actor() + ":1");
  EXPECT_EQ(v->record.author, "node-a");

  auto latest = store_->Latest(Key("model/helmet"));
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(store_->Materialize(*latest, out_.path()).ok());
  EXPECT_EQ(ReadAll(out_ / "weights/model.bin"), ReadAll(src_ / "weights/model.bin"));
  EXPECT_EQ(ReadAll(out_ / "run.sh"), "#!/bin/sh\necho hi\n");
  EXPECT_TRUE(std::filesystem::exists(out_ / "empty.txt"));
  struct stat sb;
  ASSERT_EQ(::stat((out_ / "run.sh").c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0755u);
  auto spec = store_->ReadSpec(latest->record.manifest_id);
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(*spec, R"({"task":"object_detection"})");
}

TEST_F(StoreTest, LargeFileGoesThroughBulkIngestionAndStreamsBack) {
  std::string data = RandomBytes(40 << 20, 2);
  WriteFile(src_ / "big.bin", data);
  auto v = store_->Put(Key("dataset/big"), src_ / "big.bin", "{}");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_TRUE(store_->Materialize(*v, out_.path()).ok());
  EXPECT_EQ(ReadAll(out_ / "big.bin"), data);
}

// OpenFile pulls the same bytes ReadFile pushes, whatever the buffer size, and a file whose
// bytes do not match its recorded hash fails at the end instead of ending cleanly.
TEST_F(StoreTest, OpenFileReadsByPullingAndChecksTheHashAtTheEnd) {
  std::string data = RandomBytes((3 << 20) + 4321, 5);
  WriteFile(src_ / "w.bin", data);
  auto v = store_->Put(Key("model/pull"), src_ / "w.bin", "{}");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  auto manifest = store_->ReadManifest(v->record.manifest_id);
  ASSERT_TRUE(manifest.ok());
  ASSERT_EQ(manifest->files.size(), 1u);
  ASSERT_GT(manifest->files[0].chunks.size(), 1u);
  for (size_t buffer_size : {size_t{1000}, size_t{65536}, size_t{8} << 20}) {
    std::unique_ptr<FileReader> reader = store_->OpenFile(manifest->files[0]);
    std::string read, buffer(buffer_size, '\0');
    for (;;) {
      Result<size_t> n = reader->Read(buffer.data(), buffer.size());
      ASSERT_TRUE(n.ok()) << n.status().ToString();
      if (*n == 0) break;
      read.append(buffer.data(), *n);
    }
    EXPECT_EQ(read, data) << buffer_size;
  }
  FileEntry tampered = manifest->files[0];
  tampered.sha256[0] = tampered.sha256[0] == '0' ? '1' : '0';
  std::unique_ptr<FileReader> reader = store_->OpenFile(tampered);
  std::string buffer(1 << 20, '\0');
  Status end = Status::Ok();
  for (;;) {
    Result<size_t> n = reader->Read(buffer.data(), buffer.size());
    if (!n.ok()) {
      end = n.status();
      break;
    }
    ASSERT_NE(*n, 0u) << "a tampered file ended cleanly";
  }
  EXPECT_EQ(end.code(), Status::Code::kCorruption);
}

TEST_F(StoreTest, PartialGetStripsPrefix) {
  WriteFile(src_ / "edge/m.tflite", "edge");
  WriteFile(src_ / "cloud/m.onnx", "cloud");
  auto v = store_->Put(Key("model/joint"), src_.path(), "{}");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(store_->Materialize(*v, out_.path(), {"edge/", true}).ok());
  EXPECT_EQ(ReadAll(out_ / "m.tflite"), "edge");
  EXPECT_FALSE(std::filesystem::exists(out_ / "m.onnx"));
}

TEST_F(StoreTest, RefusesSymlinksSpecialFilesAndBadSpecs) {
  WriteFile(src_ / "a.txt", "a");
  std::filesystem::create_symlink("a.txt", src_ / "link");
  auto v = store_->Put(Key("model/x"), src_.path(), "{}");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("symlink"), std::string::npos);
  std::filesystem::remove(src_ / "link");
  ASSERT_EQ(::mkfifo((src_ / "fifo").c_str(), 0600), 0);
  v = store_->Put(Key("model/x"), src_.path(), "{}");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("not a regular file"), std::string::npos);
  std::filesystem::remove(src_ / "fifo");
  EXPECT_FALSE(store_->Put(Key("model/x"), src_.path(), "[1,2]").ok());
  EXPECT_FALSE(store_->Put(Key("model/x"), src_ / "missing", "{}").ok());
  EXPECT_TRUE(store_->Heads(Key("model/x")).status().IsNotFound());
}

TEST_F(StoreTest, DeduplicatesAcrossKeysAndVersions) {
  WriteFile(src_ / "w.bin", RandomBytes(6 << 20, 3));
  ASSERT_TRUE(store_->Put(Key("model/a"), src_.path(), "{}").ok());
  auto before = store_->Stats();
  ASSERT_TRUE(store_->Put(Key("model/b"), src_.path(), "{}").ok());
  ASSERT_TRUE(store_->Put(Key("model/a"), src_.path(), R"({"v":2})").ok());
  auto after = store_->Stats();
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_EQ(after->chunks, before->chunks);
  EXPECT_EQ(after->logical_bytes, 2 * before->logical_bytes);
  EXPECT_EQ(after->keys, 2u);
}

TEST_F(StoreTest, PutAfterDeleteDominatesTheTombstone) {
  WriteFile(src_ / "f", "one");
  auto k = Key("meta/doc");
  ASSERT_TRUE(store_->Put(k, src_.path(), "{}").ok());
  auto del = store_->Delete(k);
  ASSERT_TRUE(del.ok());
  EXPECT_TRUE(del->record.tombstone);
  EXPECT_TRUE(store_->Latest(k).status().IsNotFound());
  auto keys = store_->ListKeys("meta/");
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->empty());
  auto again = store_->Put(k, src_.path(), "{}");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->record.vector.Compare(del->record.vector), VectorOrder::kDominates);
  EXPECT_EQ(again->record.vector.ToString(), store_->actor() + ":3");
  EXPECT_GT(again->record.hlc, del->record.hlc);
  EXPECT_TRUE(store_->Delete(Key("meta/never")).status().IsNotFound());
}

TEST_F(StoreTest, ChangeLogKeepsLatestPerKey) {
  WriteFile(src_ / "f", "x");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store_->Put(Key("meta/a"), src_.path(), "{}").ok());
  ASSERT_TRUE(store_->Put(Key("meta/b"), src_.path(), "{}").ok());
  ASSERT_TRUE(store_->Put(Key("meta/a"), src_.path(), "{}").ok());
  auto changes = store_->ChangesSince(0, 100);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ((*changes)[0].key, "meta/b");
  EXPECT_EQ((*changes)[0].seq, 4u);
  EXPECT_EQ((*changes)[1].key, "meta/a");
  EXPECT_EQ((*changes)[1].seq, 5u);
  EXPECT_EQ((*changes)[1].heads[0].vector.ToString(), store_->actor() + ":4");
  EXPECT_EQ(store_->ChangesSince(4, 100)->size(), 1u);
  EXPECT_EQ(store_->ChangesSince(0, 1)->size(), 1u);
  EXPECT_EQ(store_->LastSeq(), 5u);
}

TEST_F(StoreTest, ListenersSeeEveryCommit) {
  std::vector<std::string> seen;
  store_->AddChangeListener([&](const Change& c) { seen.push_back(c.key + "@" + std::to_string(c.seq)); });
  WriteFile(src_ / "f", "x");
  ASSERT_TRUE(store_->Put(Key("meta/a"), src_.path(), "{}").ok());
  ASSERT_TRUE(store_->Delete(Key("meta/a")).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"meta/a@1", "meta/a@2"}));
}

TEST_F(StoreTest, ReopenKeepsEverythingAndClockHighWater) {
  WriteFile(src_ / "f", "persist me");
  auto v = store_->Put(Key("model/p"), src_.path(), "{}");
  ASSERT_TRUE(v.ok());
  std::string epoch = store_->epoch();
  StoreOptions options;
  options.wall_clock_ms = [] { return uint64_t{1000}; };  // a box that rebooted into 1970
  Reopen(options);
  EXPECT_EQ(store_->epoch(), epoch);
  EXPECT_EQ(store_->node_id(), "node-a");
  auto latest = store_->Latest(Key("model/p"));
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->id, v->id);
  auto v2 = store_->Put(Key("model/p"), src_.path(), R"({"v":2})");
  ASSERT_TRUE(v2.ok());
  EXPECT_GT(v2->record.hlc, v->record.hlc);
  EXPECT_EQ(store_->LastSeq(), 2u);
}

TEST_F(StoreTest, NewerSchemaIsRefused) {
  store_.reset();
  {
    auto db = RocksDb::Open({data_ / "store"});
    ASSERT_TRUE(db.ok());
    rocksdb::WriteBatch b;
    b.Put((*db)->cf(RocksDb::kMeta), "schema_version", "99");
    ASSERT_TRUE((*db)->WriteSynced(&b).ok());
  }
  auto s = Store::Open(StoreOptions{.path = data_ / "store"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("schema version 99"), std::string::npos);
}

TEST_F(StoreTest, FailureBeforeCommitLeavesNothingVisibleAndRetrySucceeds) {
  bool fail = true;
  StoreOptions options;
  options.fault_before_commit = [&] { return fail ? Status::IoError("injected crash") : Status::Ok(); };
  Reopen(options);
  WriteFile(src_ / "big.bin", RandomBytes(12 << 20, 4));
  auto v = store_->Put(Key("model/f"), src_.path(), "{}");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("injected crash"), std::string::npos);
  EXPECT_TRUE(store_->Heads(Key("model/f")).status().IsNotFound());
  EXPECT_EQ(store_->LastSeq(), 0u);
  fail = false;
  v = store_->Put(Key("model/f"), src_.path(), "{}");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(store_->Materialize(*v, out_.path()).ok());
  EXPECT_EQ(ReadAll(out_ / "big.bin"), ReadAll(src_ / "big.bin"));
}

TEST_F(StoreTest, CorruptChunkIsNamedNeverWritten) {
  WriteFile(src_ / "f.bin", RandomBytes(100 << 10, 5));
  auto v = store_->Put(Key("model/c"), src_.path(), "{}");
  ASSERT_TRUE(v.ok());
  auto m = store_->ReadManifest(v->record.manifest_id);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(store_->chunks().Put(m->files[0].chunks[0].id, "garbage").ok());
  Status s = store_->Materialize(*v, out_.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_NE(s.message().find("f.bin"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(out_ / "f.bin"));
}

TEST_F(StoreTest, RetentionAndRollback) {
  std::vector<std::string> ids;
  for (int i = 0; i < 14; ++i) {
    WriteFile(src_ / "f", "version " + std::to_string(i));
    auto v = store_->Put(Key("model/r"), src_.path(), "{}");
    ASSERT_TRUE(v.ok());
    ids.push_back(v->id);
  }
  auto history = store_->History(Key("model/r"));
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 10u);
  EXPECT_EQ(history->front().id, ids.back());
  EXPECT_TRUE(store_->GetVersion(Key("model/r"), ids[0]).status().IsNotFound());
  auto rolled = store_->Rollback(Key("model/r"), ids[5]);
  ASSERT_TRUE(rolled.ok()) << rolled.status().ToString();
  EXPECT_EQ(rolled->record.vector.ToString(), store_->actor() + ":15");
  ASSERT_TRUE(store_->Materialize(*rolled, out_.path()).ok());
  EXPECT_EQ(ReadAll(out_ / "f"), "version 5");
}

class ApplyRemoteTest : public StoreTest {
 protected:
  // Builds a version as another node would: the bytes land through the chunk store.
  std::pair<VersionRecord, Manifest> Remote(const std::string& content, VersionVector vec, HlcStamp hlc,
                                            const std::string& author) {
    Manifest m;
    FileEntry f;
    f.path = "f";
    f.size = content.size();
    ChunkId id = ChunkId::Of(content.data(), content.size());
    f.chunks.push_back({id, static_cast<uint32_t>(content.size())});
    EXPECT_TRUE(store_->chunks().Put(id, content).ok());
    f.sha256 = Sha(content);
    m.files.push_back(f);
    VersionRecord r;
    r.vector = std::move(vec);
    r.hlc = hlc;
    r.author = author;
    r.manifest_id = ManifestId(m.Encode());
    return {r, m};
  }
  static std::string Sha(const std::string& s) { return Sha256::HexOf(s.data(), s.size()); }
};

TEST_F(ApplyRemoteTest, DominatingConcurrentEqualAndDominated) {
  auto k = Key("model/m");
  WriteFile(src_ / "f", "local");
  auto local = store_->Put(k, src_.path(), "{}");
  ASSERT_TRUE(local.ok());

  // Concurrent: kept as a sibling; the record keeps its own vector, HLC and author.
  auto [r1, m1] = Remote("from b", VersionVector({{"node-b", 1}}), local->record.hlc + 5, "node-b");
  auto applied = store_->ApplyRemote(k, r1, m1);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_TRUE(*applied);
  auto heads = store_->Heads(k);
  ASSERT_TRUE(heads.ok());
  ASSERT_EQ(heads->size(), 2u);
  EXPECT_EQ(heads->front().record, r1);
  EXPECT_EQ(store_->Latest(k)->id, r1.Id(k.str()));

  // Re-applying is harmless.
  EXPECT_FALSE(*store_->ApplyRemote(k, r1, m1));
  // Same vector, different content: an identity clash, refused and recorded.
  auto [bad, mbad] = Remote("other", r1.vector, r1.hlc, "node-b");
  EXPECT_EQ(store_->ApplyRemote(k, bad, mbad).status().code(), Status::Code::kAlreadyExists);
  auto clashes = store_->IdentityClashes();
  ASSERT_TRUE(clashes.ok());
  ASSERT_EQ(clashes->size(), 1u);
  EXPECT_EQ((*clashes)[0].local_version, r1.Id(k.str()));
  EXPECT_EQ((*clashes)[0].remote_version, bad.Id(k.str()));
  EXPECT_NE(bad.Id(k.str()), r1.Id(k.str()));

  // Dominating both heads replaces them.
  VersionVector join = local->record.vector;
  join.MergeFrom(r1.vector);
  join.Increment("node-c");
  auto [r2, m2] = Remote("from c", join, r1.hlc + 1, "node-c");
  ASSERT_TRUE(*store_->ApplyRemote(k, r2, m2));
  heads = store_->Heads(k);
  ASSERT_EQ(heads->size(), 1u);
  EXPECT_EQ(heads->front().record, r2);
  // Dominated: ignored.
  EXPECT_FALSE(*store_->ApplyRemote(k, r1, m1));
  // A local put now continues from the remote head.
  auto next = store_->Put(k, src_.path(), "{}");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->record.vector.ToString(), store_->actor() + ":2,node-b:1,node-c:1");
}

TEST_F(ApplyRemoteTest, RefusesMissingChunksAndBadHashes) {
  auto k = Key("model/m");
  auto [r, m] = Remote("content", VersionVector({{"node-b", 1}}), 1, "node-b");
  Manifest missing = m;
  missing.files[0].chunks[0].id = ChunkId::Of("x", 1);
  VersionRecord r_missing = r;
  r_missing.manifest_id = ManifestId(missing.Encode());
  EXPECT_FALSE(store_->ApplyRemote(k, r_missing, missing).ok());
  Manifest wrong_sha = m;
  wrong_sha.files[0].sha256 = std::string(64, '0');
  VersionRecord r_sha = r;
  r_sha.manifest_id = ManifestId(wrong_sha.Encode());
  auto s = store_->ApplyRemote(k, r_sha, wrong_sha);
  EXPECT_EQ(s.status().code(), Status::Code::kCorruption);
  EXPECT_NE(s.status().message().find("SHA-256"), std::string::npos);
  EXPECT_FALSE(store_->ApplyRemote(k, r, missing).ok());  // manifest id mismatch
  EXPECT_TRUE(store_->Heads(k).status().IsNotFound());
}

TEST_F(ApplyRemoteTest, FarFutureClockIsClampedAndWarned) {
  std::vector<std::string> warnings;
  StoreOptions options;
  options.log_warning = [&](const std::string& w) { warnings.push_back(w); };
  Reopen(options);
  uint64_t far_ms = static_cast<uint64_t>(time(nullptr)) * 1000 + 3ull * 365 * 24 * 3600 * 1000;
  auto [r, m] = Remote("future", VersionVector({{"node-z", 1}}), far_ms << 16, "node-z");
  ASSERT_TRUE(*store_->ApplyRemote(Key("meta/t"), r, m));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("ahead of ours"), std::string::npos);
  EXPECT_LT(HlcMillis(store_->clock().Now()), far_ms - 1000000);
}

}  // namespace
}  // namespace edgesync

namespace edgesync {
namespace {

TEST_F(ApplyRemoteTest, IntentsAndCheckpointsAreDurableAndProtectFetchedChunks) {
  EXPECT_EQ(*store_->GetCheckpoint("node-b", "epoch-1"), 0u);
  auto [r, m] = Remote(std::string(200 << 10, 'q'), VersionVector({{"node-b", 1}}), 10, "node-b");
  ASSERT_TRUE(store_->RecordIntents("node-b", "epoch-1", 42, {{"model/i", r, "node-b"}}).ok());
  EXPECT_EQ(*store_->GetCheckpoint("node-b", "epoch-1"), 42u);
  EXPECT_EQ(*store_->GetCheckpoint("node-b", "epoch-2"), 0u);  // a recreated peer store
  auto mid = store_->StoreManifest(m);
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(*mid, r.manifest_id);

  Reopen();
  auto intents = store_->PendingIntents();
  ASSERT_TRUE(intents.ok());
  ASSERT_EQ(intents->size(), 1u);
  EXPECT_EQ((*intents)[0].key, "model/i");
  EXPECT_EQ((*intents)[0].record, r);
  EXPECT_EQ((*intents)[0].source_peer, "node-b");
  // The fetched chunk survives a collection while the intent is pending.
  EXPECT_EQ(store_->CollectGarbage()->chunks_deleted, 0u);
  ASSERT_TRUE(*store_->ApplyRemote(Key("model/i"), r, m));
  EXPECT_TRUE(store_->PendingIntents()->empty());

  ASSERT_TRUE(store_->ResetCheckpoints().ok());
  EXPECT_EQ(*store_->GetCheckpoint("node-b", "epoch-1"), 0u);
  ASSERT_TRUE(store_->RecordIntents("node-b", "epoch-1", 1, {{"model/j", r, "node-b"}}).ok());
  ASSERT_TRUE(store_->DropIntent("model/j", r.Id("model/j")).ok());
  EXPECT_TRUE(store_->PendingIntents()->empty());
}

}  // namespace
}  // namespace edgesync

namespace edgesync {
namespace {

TEST_F(StoreTest, PutReportsProgressAndCanBeCancelled) {
  WriteFile(src_ / "big.bin", RandomBytes(6 << 20, 8));
  uint64_t last_done = 0, last_total = 0;
  TransferControl control;
  control.progress = [&](uint64_t done, uint64_t total) {
    EXPECT_GE(done, last_done);
    last_done = done;
    last_total = total;
  };
  ASSERT_TRUE(store_->Put(Key("model/p"), src_.path(), "{}", control).ok());
  EXPECT_EQ(last_done, 6u << 20);
  EXPECT_EQ(last_total, 6u << 20);

  last_done = 0;
  int polls = 0;
  control.cancelled = [&] { return ++polls > 10; };
  auto cancelled = store_->Put(Key("model/q"), src_.path(), "{}", control);
  EXPECT_EQ(cancelled.status().code(), Status::Code::kAborted);
  EXPECT_TRUE(store_->Heads(Key("model/q")).status().IsNotFound());
}

TEST_F(StoreTest, RenewPinExtendsTheLease) {
  WriteFile(src_ / "f", "pinned");
  auto v = store_->Put(Key("model/r"), src_.path(), "{}");
  auto pin = store_->Pin(v->record.manifest_id, 0);
  ASSERT_TRUE(pin.ok());
  ASSERT_TRUE(store_->RenewPin(*pin, 60'000).ok());
  ASSERT_TRUE(store_->Delete(Key("model/r")).ok());
  StoreOptions options;
  options.retention.defaults.keep_versions = 1;
  Reopen(options);
  EXPECT_EQ(store_->CollectGarbage()->chunks_deleted, 0u);  // the renewed pin holds it
  ASSERT_TRUE(store_->Unpin(*pin).ok());
  EXPECT_EQ(store_->RenewPin(*pin, 1000).code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace edgesync

namespace edgesync {
namespace {

class ListKeysPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.path = data_ / "store";
    options.node_id = "node-a";
    store_ = Store::Open(options).value();
    { std::ofstream(src_ / "f", std::ios::binary) << "x"; }
    for (const char* key : {"meta/z", "model/a", "model/b", "model/c", "model/d"})
      ASSERT_TRUE(store_->Put(ObjectKey::Parse(key).value(), src_ / "f", "{}").ok());
    ASSERT_TRUE(store_->Delete(ObjectKey::Parse("model/c").value()).ok());
  }
  testing::TempDir data_, src_;
  std::unique_ptr<Store> store_;
};

TEST_F(ListKeysPageTest, PagesStartAfterTheCursorSkipDeletedKeysAndStopAtTheLimit) {
  using Keys = std::vector<std::string>;
  EXPECT_EQ(*store_->ListKeys("model/"), (Keys{"model/a", "model/b", "model/d"}));
  EXPECT_EQ(*store_->ListKeys("model/", "", 2), (Keys{"model/a", "model/b"}));
  EXPECT_EQ(*store_->ListKeys("model/", "model/b", 2), (Keys{"model/d"}));
  EXPECT_EQ(*store_->ListKeys("model/", "model/a"), (Keys{"model/b", "model/d"}));
  EXPECT_TRUE(store_->ListKeys("model/", "model/d")->empty());
  // A cursor before the prefix starts at the prefix; the prefix still bounds the page.
  EXPECT_EQ(*store_->ListKeys("model/", "meta/z", 1), (Keys{"model/a"}));
  EXPECT_EQ(*store_->ListKeys("", "model/b"), (Keys{"model/d"}));
}

}  // namespace
}  // namespace edgesync

namespace edgesync {
namespace {

// A store of schema 1 (version ids hashed the vector alone; the node counted under its bare id)
// is migrated at open: its versions and intents are found under the new ids, and it keeps
// counting under the bare node id until its next incarnation.
TEST_F(StoreTest, SchemaOneStoreIsMigratedAndKeepsCountingUnderItsNodeId) {
  WriteFile(src_ / "f", "schema one");
  auto v = store_->Put(Key("model/m"), src_.path(), "{}");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  VersionRecord pending = v->record;
  pending.vector = VersionVector({{"node-b", 1}});
  ASSERT_TRUE(store_->RecordIntents("node-b", "e", 1, {{"model/p", pending, "node-b"}}).ok());
  store_.reset();

  auto old_id = [](const VersionRecord& r) {
    const std::string text = r.vector.ToString();
    return ChunkId::Of(text.data(), text.size()).Hex().substr(0, 16);
  };
  {
    auto db = RocksDb::Open({data_ / "store"});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    rocksdb::WriteBatch downgrade;
    for (auto [family, key, record] : {std::tuple{RocksDb::kVersions, std::string("model/m"), v->record},
                                       std::tuple{RocksDb::kIntents, std::string("model/p"), pending}}) {
      std::string value;
      ASSERT_TRUE((*db)->Get(family, key + '\0' + record.Id(key), &value).ok());
      downgrade.Delete((*db)->cf(family), key + '\0' + record.Id(key));
      downgrade.Put((*db)->cf(family), key + '\0' + old_id(record), value);
    }
    downgrade.Put((*db)->cf(RocksDb::kMeta), "schema_version", "1");
    downgrade.Delete((*db)->cf(RocksDb::kMeta), "actor");
    ASSERT_TRUE((*db)->WriteSynced(&downgrade).ok());
  }

  Reopen();
  EXPECT_EQ(store_->actor(), "node-a");
  EXPECT_TRUE(store_->GetVersion(Key("model/m"), v->id).ok());
  auto intents = store_->PendingIntents();
  ASSERT_TRUE(intents.ok());
  ASSERT_EQ(intents->size(), 1u);
  EXPECT_TRUE(store_->DropIntent("model/p", pending.Id("model/p")).ok());
  EXPECT_TRUE(store_->PendingIntents()->empty());
  auto next = store_->Put(Key("model/m"), src_.path(), "{}");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->record.vector.Get("node-a"), 1u);
  // Opened again, nothing is left to migrate and the name stays.
  Reopen();
  EXPECT_EQ(store_->actor(), "node-a");
  EXPECT_EQ(store_->History(Key("model/m"))->size(), 2u);
}

}  // namespace
}  // namespace edgesync
