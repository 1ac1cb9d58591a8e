#include "store/aes_gcm.h"

#include <gtest/gtest.h>

#include <string>

namespace edgesync {
namespace {

const std::string kKey(kAesKeyBytes, 'k');

TEST(AesGcmTest, SealedOpensToThePlaintextAndHidesIt) {
  const std::string plain = "weights of model/helmet, layer 3";
  std::string sealed;
  ASSERT_TRUE(GcmSeal(kKey, "aad", plain, &sealed).ok());
  EXPECT_EQ(sealed.size(), plain.size() + kGcmOverheadBytes);
  EXPECT_EQ(sealed.find("helmet"), std::string::npos);
  std::string opened;
  ASSERT_TRUE(GcmOpen(kKey, "aad", sealed, &opened).ok());
  EXPECT_EQ(opened, plain);
}

TEST(AesGcmTest, EachSealTakesAFreshNonce) {
  std::string a, b;
  ASSERT_TRUE(GcmSeal(kKey, "", "same text", &a).ok());
  ASSERT_TRUE(GcmSeal(kKey, "", "same text", &b).ok());
  EXPECT_NE(a.substr(0, kGcmNonceBytes), b.substr(0, kGcmNonceBytes));
  EXPECT_NE(a, b);
}

TEST(AesGcmTest, OtherKeyOtherAssociatedDataOrAnAlteredByteDoNotOpen) {
  std::string sealed, opened = "stale";
  ASSERT_TRUE(GcmSeal(kKey, "key-a", "payload", &sealed).ok());
  EXPECT_EQ(GcmOpen(std::string(kAesKeyBytes, 'x'), "key-a", sealed, &opened).code(), Status::Code::kUnauthenticated);
  EXPECT_TRUE(opened.empty());
  EXPECT_EQ(GcmOpen(kKey, "key-b", sealed, &opened).code(), Status::Code::kUnauthenticated);
  for (size_t i : {size_t{0}, kGcmNonceBytes, sealed.size() - 1}) {
    std::string altered = sealed;
    altered[i] ^= 1;
    EXPECT_FALSE(GcmOpen(kKey, "key-a", altered, &opened).ok()) << "byte " << i;
  }
  EXPECT_FALSE(GcmOpen(kKey, "key-a", sealed.substr(0, kGcmOverheadBytes - 1), &opened).ok());
}

TEST(AesGcmTest, EmptyAndLargeValuesRoundTrip) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{1} << 20}) {
    const std::string plain(size, 'p');
    std::string sealed, opened;
    ASSERT_TRUE(GcmSeal(kKey, "", plain, &sealed).ok());
    ASSERT_TRUE(GcmOpen(kKey, "", sealed, &opened).ok());
    EXPECT_EQ(opened, plain);
  }
}

}  // namespace
}  // namespace edgesync
