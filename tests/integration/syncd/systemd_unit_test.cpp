// systemd/edgesyncd.service as configured in the build tree: `systemd-analyze verify` accepts it, and it ties the documented
// exit codes to RestartPreventExitStatus=.
#include <fstream>
#include <regex>

#include "daemon_fixture.h"
#include "base/exit_codes.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;

class SystemdUnitTest : public DaemonFixture {};

TEST_F(SystemdUnitTest, VerifyPasses) {
  const char* candidates[] = {"/usr/bin/systemd-analyze", "/bin/systemd-analyze"};
  std::string analyze;
  for (const char* c : candidates) {
    if (fs::exists(c)) analyze = c;
  }
  if (analyze.empty()) GTEST_SKIP() << "systemd-analyze not installed; unit file not verified";
  // Point ExecStart at the built binary: verify checks that the executable exists. (The package
  // test verifies the installed unit with its own path: packaging/test_package.sh.)
  std::string unit = ReadFileText(EDGESYNC_UNIT_FILE);
  unit = std::regex_replace(unit, std::regex("ExecStart=\\S+"), "ExecStart=" EDGESYNCD_BIN);
  fs::path copy = root() / "edgesyncd.service";
  WriteFileText(copy, unit);
  ProcessResult verify = RunProcess({analyze, "verify", "--man=no", copy.string()});
  if (verify.err.find("Failed to") != std::string::npos &&
      verify.err.find("bus") != std::string::npos) {
    GTEST_SKIP() << "systemd-analyze cannot run here: " << verify.err;
  }
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_EQ(verify.err, "") << verify.err;
}

TEST_F(SystemdUnitTest, ExecStartNamesTheInstalledDaemon) {
  std::string unit = ReadFileText(EDGESYNC_UNIT_FILE);
  EXPECT_NE(unit.find("\nExecStart=" EDGESYNC_INSTALL_BINDIR "/edgesyncd\n"), std::string::npos) << unit;
  EXPECT_EQ(unit.find('@'), unit.find("@system-service")) << "an unconfigured @VARIABLE@ is left";
}

TEST_F(SystemdUnitTest, ExitCodesTiedToRestartPolicy) {
  std::string unit = ReadFileText(EDGESYNC_UNIT_FILE);
  std::smatch match;
  ASSERT_TRUE(std::regex_search(unit, match, std::regex("RestartPreventExitStatus=([0-9 ]+)")));
  std::string codes = " " + match[1].str() + " ";
  EXPECT_NE(codes.find(" " + std::to_string(kExitConfig) + " "), std::string::npos);
  EXPECT_NE(codes.find(" " + std::to_string(kExitUsage) + " "), std::string::npos);
  EXPECT_EQ(codes.find(" " + std::to_string(kExitRuntimeError) + " "), std::string::npos);
  for (const char* line : {"Type=notify", "WatchdogSec=", "StateDirectory=edgesync",
                           "RuntimeDirectory=edgesync", "ConfigurationDirectory=edgesync",
                           "ProtectSystem=strict", "NoNewPrivileges=yes",
                           "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6"}) {
    EXPECT_NE(unit.find(line), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace edgesync::testing
