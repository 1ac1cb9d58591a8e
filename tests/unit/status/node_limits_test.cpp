#include "status/node_limits.h"

#include <sys/statvfs.h>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"
#include "transport/identity.h"

namespace edgesync {
namespace {

using namespace std::chrono_literals;

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class NodeLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = transport::CreateClusterCa("limits", {-60s, std::chrono::hours(24 * 10)});
    ASSERT_TRUE(ca.ok()) << ca.status().ToString();
    ASSERT_TRUE(transport::WriteTextFile(dir_ / "node.crt", ca->cert_pem, false).ok());
    auto crl = transport::CreateCrl(*ca, {}, std::chrono::hours(24 * 3));
    ASSERT_TRUE(crl.ok()) << crl.status().ToString();
    ASSERT_TRUE(transport::WriteTextFile(dir_ / "crl.pem", *crl, false).ok());
  }

  testing::TempDir dir_;
};

TEST_F(NodeLimitsTest, ReadsTheDatesOfTheFilesAndTheStoreDisk) {
  NodeLimits limits = SampleNodeLimits({dir_ / "node.crt", dir_ / "crl.pem", dir_.path()});
  ASSERT_TRUE(limits.certificate_not_after_s);
  EXPECT_NEAR(static_cast<double>(*limits.certificate_not_after_s - NowSeconds()), 10 * 86400, 60);
  ASSERT_TRUE(limits.crl_next_update_s);
  EXPECT_NEAR(static_cast<double>(*limits.crl_next_update_s - NowSeconds()), 3 * 86400, 60);
  struct statvfs fs {};
  ASSERT_EQ(::statvfs(dir_.path().c_str(), &fs), 0);
  ASSERT_TRUE(limits.disk_size_bytes);
  EXPECT_EQ(*limits.disk_size_bytes, uint64_t{fs.f_blocks} * fs.f_frsize);
  ASSERT_TRUE(limits.disk_free_bytes);
  EXPECT_GT(*limits.disk_free_bytes, 0u);
  EXPECT_LE(*limits.disk_free_bytes, *limits.disk_size_bytes);
}

TEST_F(NodeLimitsTest, WhatIsNotConfiguredOrUnreadableIsAbsent) {
  NodeLimits none = SampleNodeLimits({});
  EXPECT_FALSE(none.certificate_not_after_s || none.crl_next_update_s || none.disk_free_bytes ||
               none.disk_size_bytes);
  // A CRL path with no file, a certificate that does not parse, a store directory that is gone.
  ASSERT_TRUE(transport::WriteTextFile(dir_ / "garbled.crt", "not PEM", false).ok());
  NodeLimits missing = SampleNodeLimits({dir_ / "garbled.crt", dir_ / "absent.pem", dir_ / "gone"});
  EXPECT_FALSE(missing.certificate_not_after_s || missing.crl_next_update_s || missing.disk_free_bytes ||
               missing.disk_size_bytes);
}

}  // namespace
}  // namespace edgesync
