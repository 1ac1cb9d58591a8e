// Where get and checkout write, end to end through the CLI: a symlink already in a destination
// is refused and nothing is written through it; the longest names a file system holds round-
// trip; the checkout retention keys of the config file reach the switcher.
#include "daemon_fixture.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;

class DestinationSafetyTest : public DaemonFixture {
 protected:
  // model/m with a top-level file and sub/inner.txt.
  void PutModel() {
    MakeFile(root() / "src" / "top.txt", "top");
    MakeFile(root() / "src" / "sub" / "inner.txt", "inner");
    ProcessResult put = Cli({"put", "model/m", (root() / "src").string()});
    ASSERT_EQ(put.exit_code, 0) << put.err;
  }
  fs::path Elsewhere() {
    fs::path dir = root() / "elsewhere";
    fs::create_directories(dir);
    return dir;
  }
};

TEST_F(DestinationSafetyTest, GetRefusesASymlinkPlantedInTheDestination) {
  StartDaemon();
  PutModel();
  fs::path dest = root() / "dest";
  fs::create_directories(dest);
  fs::create_directory_symlink(Elsewhere(), dest / "sub");
  ProcessResult get = Cli({"get", "model/m", dest.string()});
  EXPECT_EQ(get.exit_code, 1) << get.out;
  EXPECT_NE(get.err.find((dest / "sub").string() + "' is a symlink"), std::string::npos) << get.err;
  EXPECT_TRUE(fs::is_empty(Elsewhere())) << "written through the link";
  EXPECT_FALSE(fs::exists(dest / "top.txt")) << "a failed get left part of the version";
}

TEST_F(DestinationSafetyTest, GetRefusesADestinationThatIsASymlink) {
  StartDaemon();
  PutModel();
  fs::create_directory_symlink(Elsewhere(), root() / "dest");
  ProcessResult get = Cli({"get", "model/m", (root() / "dest").string()});
  EXPECT_EQ(get.exit_code, 1) << get.out;
  EXPECT_TRUE(fs::is_empty(Elsewhere()));
}

TEST_F(DestinationSafetyTest, CheckoutRefusesASymlinkedVersionsDirectory) {
  StartDaemon();
  PutModel();
  fs::create_directory_symlink(Elsewhere(), root() / "serving.versions");
  ProcessResult checkout = Cli({"checkout", "model/m", (root() / "serving").string()});
  EXPECT_EQ(checkout.exit_code, 1) << checkout.out;
  EXPECT_NE(checkout.err.find("serving.versions' is a symlink"), std::string::npos) << checkout.err;
  EXPECT_TRUE(fs::is_empty(Elsewhere()));
}

TEST_F(DestinationSafetyTest, LongestFileNamesRoundTripThroughGetAndCheckout) {
  StartDaemon();
  const std::string name250(250, 'n'), dir255(255, 'd');
  MakeFile(root() / "src" / name250, "250");
  MakeFile(root() / "src" / dir255 / name250, "255/250");
  ProcessResult put = Cli({"put", "model/long", (root() / "src").string()});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  ProcessResult get = Cli({"get", "model/long", (root() / "out").string()});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(ReadFileText(root() / "out" / name250), "250");
  EXPECT_EQ(ReadFileText(root() / "out" / dir255 / name250), "255/250");
  ProcessResult again = Cli({"get", "model/long", (root() / "out").string()});
  ASSERT_EQ(again.exit_code, 0) << "into the existing directory: " << again.err;
  ProcessResult checkout = Cli({"checkout", "model/long", (root() / "serving").string()});
  ASSERT_EQ(checkout.exit_code, 0) << checkout.err;
  EXPECT_EQ(ReadFileText(root() / "serving" / dir255 / name250), "255/250");
}

TEST_F(DestinationSafetyTest, ConfiguredOldVersionLimitRefusesASwitchWithinTheGracePeriod) {
  MakeFile(root() / "edgesyncd.toml", "[checkout]\ngrace_period = \"1h\"\nmax_old_versions = 1\n");
  StartDaemon({"--config", (root() / "edgesyncd.toml").string()});
  fs::path serving = root() / "serving";
  for (int n = 1; n <= 3; ++n) {
    MakeFile(root() / ("v" + std::to_string(n)) / "model.txt", "version " + std::to_string(n));
    ASSERT_EQ(Cli({"put", "model/m", (root() / ("v" + std::to_string(n))).string()}).exit_code, 0);
    ProcessResult checkout = Cli({"checkout", "model/m", serving.string()});
    if (n < 3) {
      ASSERT_EQ(checkout.exit_code, 0) << checkout.err;
      continue;
    }
    EXPECT_EQ(checkout.exit_code, 1);
    EXPECT_NE(checkout.err.find("checkout.max_old_versions is 1"), std::string::npos) << checkout.err;
  }
  EXPECT_EQ(ReadFileText(serving / "model.txt"), "version 2") << "the link stays where it was";
}

}  // namespace
}  // namespace edgesync::testing
