#include "store/value_cipher.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

TEST(ValueCipherTest, ValueOpensOnlyUnderItsOwnFamilyAndKey) {
  ValueCipher cipher(std::string(kAesKeyBytes, 'd'));
  std::string sealed, opened;
  ASSERT_TRUE(cipher.Seal(4, "model/helmet", "state of helmet", &sealed).ok());
  EXPECT_EQ(sealed.size(), std::string("state of helmet").size() + ValueCipher::kOverheadBytes);
  ASSERT_TRUE(cipher.Open(4, "model/helmet", sealed, &opened).ok());
  EXPECT_EQ(opened, "state of helmet");
  // Moved under another key or into another family: refused, not read as that key's value.
  EXPECT_EQ(cipher.Open(4, "model/vest", sealed, &opened).code(), Status::Code::kCorruption);
  EXPECT_EQ(cipher.Open(5, "model/helmet", sealed, &opened).code(), Status::Code::kCorruption);
}

TEST(ValueCipherTest, PlaintextValueAndOtherDataKeyAreRefused) {
  ValueCipher cipher(std::string(kAesKeyBytes, 'd')), other(std::string(kAesKeyBytes, 'e'));
  std::string sealed, opened;
  ASSERT_TRUE(cipher.Seal(0, "k", "v", &sealed).ok());
  EXPECT_FALSE(other.Open(0, "k", sealed, &opened).ok());
  Status plain = cipher.Open(0, "k", "a plaintext value", &opened);
  EXPECT_EQ(plain.code(), Status::Code::kCorruption);
  EXPECT_NE(plain.message().find("plaintext value"), std::string::npos) << plain.message();
}

}  // namespace
}  // namespace edgesync
