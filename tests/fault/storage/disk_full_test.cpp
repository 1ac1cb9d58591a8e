// Disk full on a real node: edge-1's data directory is a tmpfs mounted with size=64m (a real
// size-limited filesystem: writes fail with ENOSPC exactly as on a full disk). A filler file
// takes every free byte; then a local put and a receive from cloud-1 must both fail with a
// clear "no space" error, everything stored before must still read back byte-identical, and
// once the filler is deleted the missed version must arrive with no restart or command, and
// puts must work again. Needs root (mount); skips with the reason otherwise.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <random>
#include <thread>

#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

class DiskFullTest : public ClusterFixture {
 protected:
  void SetUp() override {
    ClusterFixture::SetUp();
    mount_point_ = root() / "edge-1";
    fs::create_directories(mount_point_);
    if (mount("tmpfs", mount_point_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=64m") != 0) {
      GTEST_SKIP() << "cannot mount a size-limited tmpfs here (" << std::strerror(errno)
                   << "); a disk-full test needs a real small filesystem, so it does not run";
    }
    mounted_ = true;
  }

  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "---- edge-1 log before its restart\n"
                << ReadFileText(root() / "edge-1.err.previous") << "\n";
    }
    ClusterFixture::TearDown();  // stops the daemons first
    if (mounted_) umount2(mount_point_.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(root(), ec);
  }

  // Writes zeros to `path` until the filesystem refuses; returns the bytes written.
  static uint64_t FillUp(const fs::path& path) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    std::string block(1 << 16, 'f');
    uint64_t total = 0;
    while (true) {
      ssize_t n = write(fd, block.data(), block.size());
      if (n <= 0) break;
      total += static_cast<uint64_t>(n);
    }
    close(fd);
    return total;
  }

  static uint64_t FreeBytes(const fs::path& path) {
    struct statvfs st{};
    statvfs(path.c_str(), &st);
    return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  }

  bool Holds(const TestNode& node, const std::string& key, const fs::path& source,
             std::string* why) {
    fs::path out = root() / ("check-" + std::to_string(++checks_));
    ProcessResult get = Cli(node, {"get", key, out.string()});
    if (get.exit_code != 0) {
      *why = get.err;
      return false;
    }
    bool same = SameTree(source, out, why);
    fs::remove_all(out);
    return same;
  }

  fs::path mount_point_;
  bool mounted_ = false;
  int checks_ = 0;
};

TEST_F(DiskFullTest, FailsClearlyKeepsDataAndResumesWhenSpaceReturns) {
  fs::path ca = MakeCa("ca", "disk");
  TestNode& cloud = AddNode("cloud-1", ca, "cloud");
  TestNode& edge = AddNode("edge-1", ca, "edge");
  ASSERT_EQ(edge.data_dir, mount_point_);
  // Small memory settings so the store's own files fit the small disk comfortably.
  fs::path config = root() / "edge.toml";
  WriteFileText(config, "[storage]\nblock_cache = \"1MiB\"\nwrite_buffer = \"4MiB\"\n");
  ASSERT_NO_FATAL_FAILURE(Start(cloud));
  ASSERT_NO_FATAL_FAILURE(Start(edge, {&cloud}, {"--config", config.string()}));
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(edge) == 1; }));

  std::mt19937_64 rng(64);
  fs::path before = root() / "src-before", local = root() / "src-local", remote = root() / "src-remote";
  WriteRandomFile(before / "weights.bin", rng, 3u << 20);
  WriteRandomTree(before / "assets", rng, 20, 1, 8 << 10);
  WriteRandomFile(local / "weights.bin", rng, 6u << 20);
  WriteRandomFile(remote / "weights.bin", rng, 6u << 20);

  ProcessResult put = Cli(edge, {"put", "model/before", before.string()});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  std::string why;
  ASSERT_TRUE(Holds(edge, "model/before", before, &why)) << why;
  ASSERT_TRUE(PollUntil([&] { return Holds(cloud, "model/before", before, &why); }));

  fs::path filler = mount_point_ / "filler";
  uint64_t filled = FillUp(filler);
  std::cout << "filler took " << (filled >> 20) << " MiB; free now " << FreeBytes(mount_point_)
            << " bytes\n";

  // A local put fails with a clear message and an exit code, not a raw storage-engine string.
  ProcessResult full_put = Cli(edge, {"put", "model/local", local.string()});
  EXPECT_NE(full_put.exit_code, 0);
  std::cout << "put on a full disk: exit " << full_put.exit_code << ": " << full_put.err;
  EXPECT_NE(full_put.err.find("no space"), std::string::npos) << full_put.err;
  EXPECT_EQ(full_put.err.find("While appending"), std::string::npos) << full_put.err;

  // A version arriving from the cloud cannot be stored either; the edge says why in its log.
  put = Cli(cloud, {"put", "model/remote", remote.string()});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  EXPECT_TRUE(PollUntil([&] { return ReadFileText(edge.log()).find("no space") != std::string::npos; },
                        seconds(30)))
      << "the edge never logged the disk-full refusal";
  fs::path out = root() / "should-not-exist";
  EXPECT_NE(Cli(edge, {"get", "model/remote", out.string()}).exit_code, 0);

  // Reads keep working and stored data is intact.
  EXPECT_TRUE(Holds(edge, "model/before", before, &why)) << why;
  EXPECT_EQ(Cli(edge, {"ls"}).exit_code, 0);
  EXPECT_EQ(Cli(edge, {"status"}).exit_code, 0);

  // Space returns: the missed version arrives by itself, and puts work again.
  fs::remove(filler);
  auto freed = std::chrono::steady_clock::now();
  bool arrived = PollUntil([&] { return Holds(edge, "model/remote", remote, &why); }, seconds(60));
  double resume_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - freed).count();
  EXPECT_TRUE(arrived) << "replication did not resume within 60 s of freeing space: " << why;
  std::cout << "replication resumed " << resume_s << " s after space returned\n";
  put = Cli(edge, {"put", "model/local", local.string()});
  EXPECT_EQ(put.exit_code, 0) << put.err;
  EXPECT_TRUE(Holds(edge, "model/local", local, &why)) << why;
  EXPECT_TRUE(PollUntil([&] { return Holds(cloud, "model/local", local, &why); })) << why;

  // And the store still opens cleanly after all that.
  Stop(edge);
  ASSERT_NO_FATAL_FAILURE(Start(edge, {&cloud}, {"--config", config.string()}));
  for (const auto& [key, source] : {std::pair{"model/before", before}, {"model/local", local},
                                    {"model/remote", remote}}) {
    EXPECT_TRUE(Holds(edge, key, source, &why)) << key << ": " << why;
  }
}

}  // namespace
}  // namespace edgesync::testing
