#include "syncd/socket_path.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

ProcessEnvironment Env() {
  ProcessEnvironment env;
  env.cwd = "/srv/work";
  env.uid = 1234;
  return env;
}

TEST(SocketPathTest, DataDirDefaultsToCwdOrStateDirectory) {
  ProcessEnvironment env = Env();
  EXPECT_EQ(DefaultDataDir(env), "/srv/work/data");
  env.state_directory = "/var/lib/edgesync";
  EXPECT_EQ(DefaultDataDir(env), "/var/lib/edgesync");
}

TEST(SocketPathTest, BesideTheDataDirWhenItFits) {
  EXPECT_EQ(DefaultControlSocket("/srv/work/data", Env()), "/srv/work/data/control.sock");
  EXPECT_EQ(DefaultControlSocket("data/../data2", Env()), "/srv/work/data2/control.sock");
}

TEST(SocketPathTest, RuntimeDirectoryWinsUnderSystemd) {
  ProcessEnvironment env = Env();
  env.runtime_directory = "/run/edgesync";
  EXPECT_EQ(DefaultControlSocket("/var/lib/edgesync", env), "/run/edgesync/control.sock");
}

TEST(SocketPathTest, LongDataDirFallsBackToXdgThenTmp) {
  ProcessEnvironment env = Env();
  // 107 bytes exactly still fits.
  std::string fits = "/" + std::string(107 - std::string("/").size() - 13, 'a');
  EXPECT_EQ(DefaultControlSocket(fits, env).native().size(), 107u);
  EXPECT_EQ(DefaultControlSocket(fits, env), fits + "/control.sock");
  std::string too_long = fits + "b";
  EXPECT_EQ(DefaultControlSocket(too_long, env), "/tmp/edgesync-1234/control.sock");
  env.xdg_runtime_dir = "/run/user/1234";
  EXPECT_EQ(DefaultControlSocket(too_long, env), "/run/user/1234/edgesync/control.sock");
}

TEST(SocketPathTest, CheckUnixSocketPath) {
  EXPECT_TRUE(CheckUnixSocketPath("/tmp/a.sock").ok());
  EXPECT_TRUE(CheckUnixSocketPath("/" + std::string(106, 'x')).ok());
  Status st = CheckUnixSocketPath("/" + std::string(107, 'x'));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("108 bytes"), std::string::npos) << st.message();
  EXPECT_FALSE(CheckUnixSocketPath("").ok());
}

TEST(SocketPathTest, ConfigFileOnlyUnderSystemdWhenPresent) {
  ProcessEnvironment env = Env();
  EXPECT_EQ(DefaultConfigFile(env), "");
  env.configuration_directory = "/nonexistent-edgesync-config";
  EXPECT_EQ(DefaultConfigFile(env), "");
}

}  // namespace
}  // namespace edgesync
