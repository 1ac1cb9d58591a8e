// Control socket permissions with `control.group`, checked as unprivileged users: the socket is
// 0660 and owned by the configured group, a user in that group gets in, a user outside it (and
// the world) does not. Runs the CLI through setpriv, so it needs root (as CI has).
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon_fixture.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;

class SocketPermissionsTest : public DaemonFixture {
 protected:
  // `edgesync status` as user nobody (uid 65534) with only group `gid`.
  ProcessResult StatusAs(gid_t gid) {
    return RunProcess({"/usr/bin/setpriv", "--reuid=65534", "--regid=" + std::to_string(gid), "--clear-groups",
                       EDGESYNC_BIN, "--socket", socket_path().string(), "status"});
  }
};

TEST_F(SocketPermissionsTest, OnlyTheSocketGroupGetsInAsAnUnprivilegedUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run the client as another user";
  if (!fs::exists("/usr/bin/setpriv")) GTEST_SKIP() << "setpriv (util-linux) not installed";
  // getgrnam reuses one buffer: keep the ids, not the pointers.
  const group* found = getgrnam("nogroup");
  if (!found) GTEST_SKIP() << "group nogroup is needed";
  const gid_t socket_gid = found->gr_gid;
  found = getgrnam("daemon");
  if (!found) GTEST_SKIP() << "group daemon is needed";
  const gid_t other_gid = found->gr_gid;
  // Let anyone traverse to the socket directory, so the socket's own mode and group decide.
  fs::create_directories(data_dir());
  fs::permissions(root(), fs::perms(0755));
  fs::permissions(data_dir(), fs::perms(0755));
  StartDaemon({"--socket-group", "nogroup"});

  struct stat st{};
  ASSERT_EQ(stat(socket_path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0660u);
  EXPECT_EQ(st.st_mode & S_IWOTH, 0u) << "world-writable socket";
  EXPECT_EQ(st.st_gid, socket_gid);

  ProcessResult member = StatusAs(socket_gid);
  if (member.err.find("setpriv:") != std::string::npos)
    GTEST_SKIP() << "user nobody cannot execute the test binary here: " << member.err;
  EXPECT_EQ(member.exit_code, 0) << member.err;

  ProcessResult outsider = StatusAs(other_gid);
  EXPECT_EQ(outsider.exit_code, 3) << outsider.err;
  EXPECT_NE(outsider.err.find("permission denied"), std::string::npos) << outsider.err;
}

}  // namespace
}  // namespace edgesync::testing
