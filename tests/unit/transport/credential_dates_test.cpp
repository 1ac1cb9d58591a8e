#include "transport/credential_dates.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/unit/transport/test_pki.h"
#include "transport/clock_skew.h"

namespace edgesync::transport {
namespace {

using testing::TestPki;

constexpr std::int64_t kDayMs = 24 * 3600 * 1000;

TEST(CredentialDatesTest, CertificateNotAfterIsItsValidityEnd) {
  TestPki pki("factory");
  auto files = pki.Issue("edge-1", "edge", {std::chrono::seconds(-60), std::chrono::hours(24 * 3)});
  auto not_after = CertificateNotAfterMs(files.cert_pem);
  ASSERT_TRUE(not_after.ok()) << not_after.status().ToString();
  const auto expected = static_cast<std::int64_t>(WallClockMs()) + 3 * kDayMs;
  EXPECT_LT(std::llabs(*not_after - expected), 60'000);
}

TEST(CredentialDatesTest, CrlNextUpdateIsWhenItGoesStale) {
  TestPki pki("factory");
  auto crl_pem = CreateCrl(pki.ca(), {}, std::chrono::hours(24 * 5));
  ASSERT_TRUE(crl_pem.ok());
  auto next = CrlNextUpdateMs(*crl_pem);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  const auto expected = static_cast<std::int64_t>(WallClockMs()) + 5 * kDayMs;
  EXPECT_LT(std::llabs(*next - expected), 60'000);
}

TEST(CredentialDatesTest, GarbageIsAnError) {
  EXPECT_FALSE(CertificateNotAfterMs("not a certificate").ok());
  EXPECT_FALSE(CrlNextUpdateMs("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n").ok());
}

}  // namespace
}  // namespace edgesync::transport
