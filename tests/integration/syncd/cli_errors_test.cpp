// Error paths of the CLI: daemon errors (exit 1), usage (exit 2), daemon down (exit 3),
// permission refused by the socket's mode.
#include <unistd.h>

#include "daemon_fixture.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;

class CliErrorsTest : public DaemonFixture {};

size_t LineCount(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST_F(CliErrorsTest, UnknownKeyExitsOneWithMessage) {
  StartDaemon();
  ProcessResult show = Cli({"show", "model/missing"});
  EXPECT_EQ(show.exit_code, 1);
  EXPECT_NE(show.err.find("not_found"), std::string::npos) << show.err;
  EXPECT_NE(show.err.find("model/missing"), std::string::npos) << show.err;
  ProcessResult get = Cli({"get", "model/missing", (root() / "o").string()});
  EXPECT_EQ(get.exit_code, 1);
}

TEST_F(CliErrorsTest, EscapingNameIsRefused) {
  StartDaemon();
  MakeFile(root() / "f.txt", "x");
  ProcessResult put = Cli({"put", "../x", (root() / "f.txt").string()});
  EXPECT_EQ(put.exit_code, 1);
  EXPECT_NE(put.err.find("invalid_argument"), std::string::npos) << put.err;
  EXPECT_NE(put.err.find("../x"), std::string::npos) << put.err;
  EXPECT_EQ(LineCount(put.err), 1u) << put.err;
  ProcessResult nested = Cli({"put", "model/../../etc", (root() / "f.txt").string()});
  EXPECT_EQ(nested.exit_code, 1) << nested.err;
}

TEST_F(CliErrorsTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Cli({"put", "model/x"}).exit_code, 2);
  EXPECT_EQ(Cli({"frobnicate"}).exit_code, 2);
  ProcessResult help = Cli({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("checkout"), std::string::npos);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos);
}

TEST_F(CliErrorsTest, DaemonDownExitsThreeWithHint) {
  ProcessResult status = Cli({"status"});
  EXPECT_EQ(status.exit_code, 3);
  EXPECT_NE(status.err.find("hint"), std::string::npos) << status.err;
  EXPECT_NE(status.err.find("edgesyncd"), std::string::npos) << status.err;
}

TEST_F(CliErrorsTest, UnprivilegedUserRefusedBySocketMode) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run the client as another user";
  if (!fs::exists("/usr/bin/setpriv")) GTEST_SKIP() << "setpriv (util-linux) not installed";
  // Let anyone traverse to the socket, so only the socket's own mode (0660) decides.
  fs::create_directories(data_dir());
  fs::permissions(root(), fs::perms(0755));
  fs::permissions(data_dir(), fs::perms(0755));
  StartDaemon();
  struct stat st{};
  ASSERT_EQ(stat(socket_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  ProcessResult as_nobody = RunProcess(
      {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", EDGESYNC_BIN,
       "--socket", socket_path().string(), "status"});
  if (as_nobody.err.find("setpriv:") != std::string::npos) {
    GTEST_SKIP() << "user nobody cannot execute the test binary here: " << as_nobody.err;
  }
  EXPECT_EQ(as_nobody.exit_code, 3) << as_nobody.err;
  EXPECT_NE(as_nobody.err.find("permission denied"), std::string::npos) << as_nobody.err;
  // Root still gets in.
  EXPECT_EQ(Cli({"status"}).exit_code, 0);
}

}  // namespace
}  // namespace edgesync::testing
