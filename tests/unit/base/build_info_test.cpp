// base/build_info.h: the version is the VERSION file's, and the commit is the checkout's HEAD
// (abbreviated) or "unknown".
#include "base/build_info.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>

namespace edgesync {
namespace {

TEST(BuildInfoTest, VersionIsTheVersionFile) {
  std::ifstream in(EDGESYNC_VERSION_FILE);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(BuildVersion(), line);
  EXPECT_EQ(BuildVersion(), EDGESYNC_VERSION);
}

TEST(BuildInfoTest, CommitIsAnAbbreviatedIdOrUnknown) {
  const std::string commit(BuildCommit());
  EXPECT_TRUE(std::regex_match(commit, std::regex("[0-9a-f]{12}|unknown"))) << commit;
}

TEST(BuildInfoTest, VersionLineNamesProgramVersionAndCommit) {
  EXPECT_EQ(VersionLine("edgesyncd"),
            "edgesyncd " + std::string(BuildVersion()) + " (commit " + std::string(BuildCommit()) + ")");
}

}  // namespace
}  // namespace edgesync
