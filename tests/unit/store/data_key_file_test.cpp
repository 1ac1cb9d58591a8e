#include "store/data_key_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace edgesync {
namespace {

using testing::TempDir;

StoreKey Key(char c) { return StoreKey::FromBytes(std::string(32, c), std::string("/keys/") + c + ".key"); }

TEST(DataKeyFileTest, NewStoreGetsARandomDataKeyThatItsKeyOpens) {
  TempDir dir;
  const StoreKey key = Key('a');
  auto created = LoadDataKey(dir.path(), &key);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->size(), 32u);
  EXPECT_NE(*created, key.bytes());
  auto again = LoadDataKey(dir.path(), &key);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, *created);
  EXPECT_EQ(DataKeyWrappedUnder(dir.path()).value(), key.id());

  TempDir other;
  EXPECT_NE(LoadDataKey(other.path(), &key).value(), *created);  // a key per store
}

TEST(DataKeyFileTest, WrongKeyIsRefusedClearlyAndTheFileStays) {
  TempDir dir;
  const StoreKey right = Key('a'), wrong = Key('b');
  ASSERT_TRUE(LoadDataKey(dir.path(), &right).ok());
  std::ifstream in(dir / kDataKeyFileName);
  const std::string before((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto refused = LoadDataKey(dir.path(), &wrong);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("storage.encryption: the key in /keys/b.key does not open this store "
                                            "(wrong key?)"),
            std::string::npos)
      << refused.status().message();
  std::ifstream after_in(dir / kDataKeyFileName);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(after_in)), std::istreambuf_iterator<char>()), before);
}

TEST(DataKeyFileTest, EncryptedStoreWithoutKeyAndPlaintextStoreWithKeyAreRefused) {
  TempDir encrypted, plain;
  const StoreKey key = Key('a');
  ASSERT_TRUE(LoadDataKey(encrypted.path(), &key).ok());
  auto no_key = LoadDataKey(encrypted.path(), nullptr);
  ASSERT_FALSE(no_key.ok());
  EXPECT_EQ(no_key.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(no_key.status().message().find("is encrypted"), std::string::npos) << no_key.status().message();

  { std::ofstream(plain / "CURRENT") << "MANIFEST-000001\n"; }  // what RocksDB leaves in a store
  EXPECT_EQ(LoadDataKey(plain.path(), nullptr).value(), "");
  auto with_key = LoadDataKey(plain.path(), &key);
  ASSERT_FALSE(with_key.ok());
  EXPECT_NE(with_key.status().message().find("was created without encryption"), std::string::npos)
      << with_key.status().message();
  EXPECT_FALSE(std::filesystem::exists(plain / kDataKeyFileName));
}

TEST(DataKeyFileTest, RewrappedDataKeyOpensWithTheNewKeyOnly) {
  TempDir dir;
  const StoreKey old_key = Key('a'), new_key = Key('b');
  const std::string data_key = LoadDataKey(dir.path(), &old_key).value();
  ASSERT_TRUE(WriteDataKey(dir.path(), data_key, new_key).ok());
  EXPECT_EQ(LoadDataKey(dir.path(), &new_key).value(), data_key);
  EXPECT_FALSE(LoadDataKey(dir.path(), &old_key).ok());
  EXPECT_FALSE(std::filesystem::exists(dir / (std::string(kDataKeyFileName) + ".tmp")));
}

TEST(DataKeyFileTest, DamagedFileIsReportedNotTakenForAWrongKey) {
  TempDir dir;
  const StoreKey key = Key('a');
  ASSERT_TRUE(LoadDataKey(dir.path(), &key).ok());
  { std::ofstream(dir / kDataKeyFileName, std::ios::trunc) << "{\"format\": 1}"; }
  auto damaged = LoadDataKey(dir.path(), &key);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.status().code(), Status::Code::kCorruption);
}

}  // namespace
}  // namespace edgesync
