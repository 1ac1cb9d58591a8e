#include "store/store_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace edgesync {
namespace {

using testing::TempDir;

std::filesystem::path KeyFile(const TempDir& dir, const std::string& content, mode_t mode = 0600) {
  const auto path = dir / "store.key";
  { std::ofstream(path, std::ios::binary | std::ios::trunc) << content; }
  ::chmod(path.c_str(), mode);
  return path;
}

TEST(StoreKeyTest, RawAndHexKeysAreRead) {
  TempDir dir;
  const std::string raw(32, '\x5a');
  auto from_raw = StoreKey::FromFile(KeyFile(dir, raw));
  ASSERT_TRUE(from_raw.ok()) << from_raw.status().ToString();
  EXPECT_EQ(from_raw->bytes(), raw);
  EXPECT_EQ(from_raw->source(), (dir / "store.key").string());

  const std::string expected = std::string(16, '\x55') + std::string(16, '\xaa');
  for (const std::string& hex : {std::string(32, '5') + std::string(32, 'a') + "\n", std::string(32, '5') + std::string(32, 'A')}) {
    auto key = StoreKey::FromFile(KeyFile(dir, hex));
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(key->bytes(), expected);
  }
}

TEST(StoreKeyTest, FileOthersOrGroupMayReadIsRefusedNamingItsMode) {
  TempDir dir;
  for (mode_t mode : {0640, 0604, 0644}) {
    auto key = StoreKey::FromFile(KeyFile(dir, std::string(32, 'k'), mode));
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().code(), Status::Code::kPermissionDenied);
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode));
    EXPECT_NE(key.status().message().find(std::string("has mode ") + text), std::string::npos)
        << key.status().message();
  }
  EXPECT_TRUE(StoreKey::FromFile(KeyFile(dir, std::string(32, 'k'), 0400)).ok());
}

TEST(StoreKeyTest, WrongLengthOrNotHexIsRefusedWithoutShowingTheContent) {
  TempDir dir;
  for (const std::string& content : {std::string(31, 'k'), std::string(33, 'k'), std::string(64, 'g'),
                                     std::string(200, '0'), std::string()}) {
    auto key = StoreKey::FromFile(KeyFile(dir, content));
    ASSERT_FALSE(key.ok()) << content.size();
    EXPECT_EQ(key.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(key.status().message().find("must hold 32 bytes"), std::string::npos) << key.status().message();
    if (!content.empty()) {
      EXPECT_EQ(key.status().message().find(content), std::string::npos);
    }
  }
  EXPECT_EQ(StoreKey::FromFile(dir / "missing.key").status().code(), Status::Code::kIoError);
}

TEST(StoreKeyTest, IdNamesTheKeyWithoutItsBytes) {
  const StoreKey a = StoreKey::FromBytes(std::string(32, 'a'), "a"), b = StoreKey::FromBytes(std::string(32, 'b'), "b");
  EXPECT_EQ(a.id().size(), 16u);
  EXPECT_EQ(a.id(), StoreKey::FromBytes(std::string(32, 'a'), "again").id());
  EXPECT_NE(a.id(), b.id());
}

}  // namespace
}  // namespace edgesync
