// Encryption at rest through the Store: what reaches the disk, and what a wrong key changes.
#include "store/store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "store/data_key_file.h"
#include "store/sha256.h"
#include "tests/support/temp_dir.h"

namespace edgesync {
namespace {

namespace fs = std::filesystem;
using testing::RandomBytes;
using testing::TempDir;

constexpr char kMarker[] = "EDGESYNC-PLAINTEXT-MARKER-4c1e";

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& p, const std::string& data) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << data;
}

ObjectKey Key(const std::string& s) { return ObjectKey::Parse(s).value(); }

// Every file under `dir` (WAL, SST, MANIFEST, OPTIONS, LOG, the data key file) that holds `needle`.
std::vector<std::string> FilesHolding(const fs::path& dir, const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file() && ReadAll(entry.path()).find(needle) != std::string::npos)
      found.push_back(entry.path().filename().string());
  return found;
}

// Name, size and SHA-256 of every file under `dir`.
std::map<std::string, std::string> Snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string data = ReadAll(entry.path());
    files[fs::relative(entry.path(), dir).string()] = Sha256::HexOf(data.data(), data.size());
  }
  return files;
}

class StoreEncryptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The marker in chunk bytes (a small file written through a batch, a large one through an
    // ingested SST file), in a file name (manifests) and in the spec (specs, version metadata).
    std::string large = RandomBytes(6 << 20, 3);
    for (size_t at = 0; at + sizeof kMarker < large.size(); at += 64 << 10) large.replace(at, sizeof kMarker - 1, kMarker);
    WriteFile(src_ / (std::string(kMarker) + "-weights.bin"), large);
    WriteFile(src_ / "notes.txt", std::string("operator notes: ") + kMarker + "\n");
    spec_ = std::string(R"({"description": ")") + kMarker + "\"}";
  }

  Result<std::unique_ptr<Store>> Open(std::optional<StoreKey> key) {
    StoreOptions options;
    options.path = data_ / "store";
    options.node_id = "node-a";
    options.bulk_write_bytes = 8u << 20;
    options.encryption_key = std::move(key);
    return Store::Open(options);
  }

  // Puts the marked source, reads it back and closes the store with everything flushed.
  void PutMarked(std::optional<StoreKey> key) {
    auto store = Open(std::move(key));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto v = (*store)->Put(Key("model/sealed"), src_.path(), spec_);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    ExpectReadsBack(**store, *v);
    // While the data is only in the WAL and memtables (the caller looks again once it is flushed
    // into SST files).
    if (!(*store)->EncryptionKeyId().empty()) {
      EXPECT_EQ(FilesHolding(data_ / "store", kMarker), std::vector<std::string>{});
    }
    ASSERT_TRUE((*store)->FlushMemTables().ok());
  }

  void ExpectReadsBack(Store& store, const VersionInfo& v) {
    auto manifest = store.ReadManifest(v.record.manifest_id);
    ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
    EXPECT_EQ(manifest->files.size(), 2u);
    EXPECT_NE(manifest->spec_json.find(kMarker), std::string::npos);
    TempDir out;
    ASSERT_TRUE(store.Materialize(v, out / "v").ok());
    EXPECT_EQ(ReadAll(out / "v" / (std::string(kMarker) + "-weights.bin")),
              ReadAll(src_ / (std::string(kMarker) + "-weights.bin")));
    EXPECT_EQ(ReadAll(out / "v" / "notes.txt"), ReadAll(src_ / "notes.txt"));
  }

  TempDir data_, src_;
  std::string spec_;
  const StoreKey key_a_ = StoreKey::FromBytes(std::string(32, 'a'), "/etc/edgesync/a.key");
  const StoreKey key_b_ = StoreKey::FromBytes(std::string(32, 'b'), "/etc/edgesync/b.key");
};

TEST_F(StoreEncryptionTest, PlaintextStoreShowsTheMarkerSoTheSearchCanFindIt) {
  PutMarked(std::nullopt);
  EXPECT_FALSE(FilesHolding(data_ / "store", kMarker).empty());
}

TEST_F(StoreEncryptionTest, NoFileOfAnEncryptedStoreHoldsPlaintextOfAPut) {
  PutMarked(key_a_);
  EXPECT_EQ(FilesHolding(data_ / "store", kMarker), std::vector<std::string>{});
  // Nor the key's bytes: only its wrapped data key and its id are kept.
  EXPECT_EQ(FilesHolding(data_ / "store", key_a_.bytes()), std::vector<std::string>{});
  auto reopened = Open(key_a_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  auto latest = (*reopened)->Latest(Key("model/sealed"));
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ExpectReadsBack(**reopened, *latest);
  EXPECT_EQ((*reopened)->EncryptionKeyId(), key_a_.id());
}

TEST_F(StoreEncryptionTest, WrongKeyMissingKeyOrKeyForAPlaintextStoreChangeNothing) {
  PutMarked(key_a_);
  const auto before = Snapshot(data_ / "store");
  auto wrong = Open(key_b_);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(wrong.status().message().find(
                "storage.encryption: the key in /etc/edgesync/b.key does not open this store (wrong key?)"),
            std::string::npos)
      << wrong.status().message();
  auto without = Open(std::nullopt);
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(without.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(without.status().message().find("is encrypted"), std::string::npos) << without.status().message();
  EXPECT_EQ(Snapshot(data_ / "store"), before);

  TempDir plain_data;
  StoreOptions plain;
  plain.path = plain_data / "store";
  { ASSERT_TRUE(Store::Open(plain).ok()); }
  const auto plain_before = Snapshot(plain.path);
  plain.encryption_key = key_a_;
  auto keyed = Store::Open(plain);
  ASSERT_FALSE(keyed.ok());
  EXPECT_NE(keyed.status().message().find("was created without encryption"), std::string::npos)
      << keyed.status().message();
  EXPECT_EQ(Snapshot(plain.path), plain_before);
}

TEST_F(StoreEncryptionTest, RekeyKeepsTheStoreReadableAndOnlyTheNewKeyOpensIt) {
  auto store = Open(key_a_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto v1 = (*store)->Put(Key("model/sealed"), src_.path(), spec_);
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  ASSERT_TRUE((*store)->Rekey(key_b_).ok());
  EXPECT_EQ((*store)->EncryptionKeyId(), key_b_.id());
  ExpectReadsBack(**store, *v1);  // the open store reads on
  WriteFile(src_ / "notes.txt", "second version\n");
  auto v2 = (*store)->Put(Key("model/sealed"), src_.path(), spec_);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  store->reset();

  EXPECT_FALSE(Open(key_a_).ok());
  auto reopened = Open(key_b_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  auto history = (*reopened)->History(Key("model/sealed"));
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 2u);
  TempDir out;
  ASSERT_TRUE((*reopened)->Materialize(*v1, out / "v1").ok());
  EXPECT_NE(ReadAll(out / "v1" / "notes.txt").find(kMarker), std::string::npos);
}

TEST_F(StoreEncryptionTest, PlaintextStoreCannotBeRekeyed) {
  auto store = Open(std::nullopt);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->Rekey(key_b_).code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ((*store)->EncryptionKeyId(), "");
  EXPECT_FALSE(fs::exists(data_ / "store" / kDataKeyFileName));
}

TEST_F(StoreEncryptionTest, GarbageCollectionAndDeletesWorkOnSealedValues) {
  auto store = Open(key_a_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Put(Key("model/sealed"), src_.path(), spec_).ok());
  ASSERT_TRUE((*store)->Delete(Key("model/sealed")).ok());
  auto before = (*store)->Stats();
  ASSERT_TRUE(before.ok());
  auto keys = (*store)->ListKeys("", "", 10);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  auto changes = (*store)->ChangesSince(0, 10);
  ASSERT_TRUE(changes.ok()) << changes.status().ToString();
  EXPECT_FALSE(changes->empty());
  auto gc = (*store)->CollectGarbage();
  ASSERT_TRUE(gc.ok()) << gc.status().ToString();
  EXPECT_GT(gc->chunks_scanned, 0u);
}

}  // namespace
}  // namespace edgesync
