// checkout: atomic symlink switches. A reader loops over the checked-out files while new
// versions arrive; every pass must see one version's files only, complete.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "daemon_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kFiles = 4;
constexpr size_t kFileBytes = 512 * 1024;

std::string VersionContent(const std::string& marker);

class CheckoutWatchTest : public DaemonFixture {
 protected:
  // A version whose every file is filled with its marker.
  fs::path MakeVersion(int n);
};

fs::path CheckoutWatchTest::MakeVersion(int n) {
  fs::path dir = root() / ("v" + std::to_string(n));
  std::string content = VersionContent("version-" + std::to_string(n));
  for (int i = 0; i < kFiles; ++i) MakeFile(dir / ("part" + std::to_string(i) + ".bin"), content);
  return dir;
}

std::string VersionContent(const std::string& marker) {
  std::string content;
  while (content.size() < kFileBytes) content += marker + ";";
  return content;
}

// Reads every file through one directory handle opened via the link. Returns the marker all
// files carry, "" if the directory vanished meanwhile (an old version removed: retry), or
// "MIXED" when files disagree or one is not exactly a complete version file.
std::string ReadConsistentVersion(const fs::path& link) {
  int dir = open(link.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return "";
  std::string marker;
  for (int i = 0; i < kFiles; ++i) {
    int fd = openat(dir, ("part" + std::to_string(i) + ".bin").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      close(dir);
      return "";
    }
    std::string content;
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) content.append(buf, static_cast<size_t>(n));
    close(fd);
    std::string this_marker = content.substr(0, content.find(';'));
    if (i == 0) marker = this_marker;
    if (this_marker != marker || content != VersionContent(marker)) {
      close(dir);
      return "MIXED";
    }
  }
  close(dir);
  return marker;
}

TEST_F(CheckoutWatchTest, OneShotCheckoutSwitchesAndPins) {
  StartDaemon();
  ASSERT_EQ(Cli({"put", "model/m", MakeVersion(1).string()}).exit_code, 0);
  fs::path link = root() / "current";
  ProcessResult first = Cli({"checkout", "model/m", link.string()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(ReadConsistentVersion(link), "version-1");

  ASSERT_EQ(Cli({"put", "model/m", MakeVersion(2).string()}).exit_code, 0);
  ASSERT_EQ(Cli({"checkout", "model/m", link.string()}).exit_code, 0);
  EXPECT_EQ(ReadConsistentVersion(link), "version-2");
  EXPECT_TRUE(fs::exists(data_dir() / "checkouts.json"));

  // A real directory at the target is never replaced.
  fs::create_directories(root() / "real");
  ProcessResult refused = Cli({"checkout", "model/m", (root() / "real").string()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("not a checkout symlink"), std::string::npos) << refused.err;
}

TEST_F(CheckoutWatchTest, APartIsCheckedOutAloneAndATargetHoldsOnePart) {
  StartDaemon();
  fs::path model = root() / "joint";
  MakeFile(model / "edge" / "model.tflite", "edge model");
  MakeFile(model / "cloud" / "model.onnx", "cloud model");
  MakeFile(root() / "joint.json",
           R"({"parts":{"edge":{"placement":{"role":"edge"}},"cloud":{"placement":{"role":"cloud"}}}})");
  ProcessResult put =
      Cli({"put", "model/j", model.string(), "--spec", (root() / "joint.json").string()});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  fs::path link = root() / "edge-serving";
  ProcessResult edge = Cli({"checkout", "model/j", link.string(), "--part", "edge"});
  ASSERT_EQ(edge.exit_code, 0) << edge.err;
  EXPECT_NE(edge.out.find(" part edge (1 files"), std::string::npos) << edge.out;
  EXPECT_EQ(ReadFileText(link / "model.tflite"), "edge model");
  EXPECT_FALSE(fs::exists(link / "edge")) << "written without the part's prefix";
  EXPECT_FALSE(fs::exists(link / "model.onnx"));

  ProcessResult other = Cli({"checkout", "model/j", link.string(), "--part", "cloud"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("it holds part 'edge' of its versions"), std::string::npos) << other.err;
  EXPECT_EQ(ReadFileText(link / "model.tflite"), "edge model");

  ProcessResult unknown = Cli({"checkout", "model/j", (root() / "gpu").string(), "--part", "gpu"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("has no part 'gpu'"), std::string::npos) << unknown.err;
  EXPECT_FALSE(fs::exists(fs::symlink_status(root() / "gpu")));
}

TEST_F(CheckoutWatchTest, WatchSwitchesWhileReaderNeverSeesMixedVersion) {
  StartDaemon();
  ASSERT_EQ(Cli({"put", "model/w", MakeVersion(1).string()}).exit_code, 0);
  fs::path link = root() / "serving";
  fs::path watch_out = root() / "watch.out";
  BackgroundProcess watch({EDGESYNC_BIN, "--data-dir", data_dir().string(), "checkout",
                           "model/w", link.string(), "--watch"},
                          watch_out, root() / "watch.err");
  ASSERT_TRUE(PollUntil([&] { return ReadConsistentVersion(link) == "version-1"; }))
      << ReadFileText(root() / "watch.err");

  std::atomic<bool> stop{false};
  std::atomic<int> passes{0};
  std::set<std::string> seen;
  std::string bad;
  std::thread reader([&] {
    while (!stop) {
      std::string version = ReadConsistentVersion(link);
      if (version == "MIXED") {
        bad = version;
        return;
      }
      if (!version.empty()) seen.insert(version);
      ++passes;
    }
  });

  constexpr int kVersions = 6;
  for (int n = 2; n <= kVersions; ++n) {
    ASSERT_EQ(Cli({"put", "model/w", MakeVersion(n).string()}).exit_code, 0);
    std::string expected = "version-" + std::to_string(n);
    EXPECT_TRUE(PollUntil([&] { return ReadConsistentVersion(link) == expected; }))
        << "watch did not switch to " << expected << "\n"
        << ReadFileText(root() / "watch.err") << DaemonLog();
  }
  stop = true;
  reader.join();
  EXPECT_EQ(bad, "") << "reader saw a mixed or partial version";
  EXPECT_GT(passes.load(), kVersions);
  EXPECT_GE(seen.size(), 2u);

  std::string lines = ReadFileText(watch_out);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), kVersions) << lines;
  // Old version directories stay for the grace period (60 s by default, longer than this
  // test), so every version switched to is still there, and nothing else is.
  size_t dirs = 0;
  for (const auto& entry : fs::directory_iterator(root() / "serving.versions")) {
    (void)entry;
    ++dirs;
  }
  EXPECT_EQ(dirs, static_cast<size_t>(kVersions));

  watch.Signal(SIGINT);
  EXPECT_TRUE(watch.Wait(std::chrono::seconds(5)).has_value());
  EXPECT_EQ(Cli({"status"}).exit_code, 0) << "daemon unhealthy after the watcher left";
}

}  // namespace
}  // namespace edgesync::testing
