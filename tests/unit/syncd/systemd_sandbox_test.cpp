// systemd/edgesyncd.service (as configured in the build tree) under its own sandbox: every directory the docs promise edgesyncd
// may write (the store, the control socket, the checkout root /srv/edgesync, whatever
// tmpfiles.d creates for it) is writable under the unit's ProtectSystem=, ProtectHome=,
// PrivateTmp=, *Directory= and ReadWritePaths= rules, and its configuration is not.
//
// The rules are modelled from systemd.exec(5) and read from the unit file itself, so no
// systemd is needed (tests/integration/syncd/systemd_unit_test.cpp runs systemd-analyze verify
// where it can). A ReadWritePaths= path must exist when the unit starts, or the unit fails
// (status 226/NAMESPACE): each one is checked to be made by tmpfiles.d.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace edgesync {
namespace {

namespace fs = std::filesystem;

const fs::path kSystemdDir = EDGESYNC_SYSTEMD_DIR;
const fs::path kDocsDir = EDGESYNC_DOCS_DIR;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// True when `path` is `dir` or lies below it (whole components, both absolute and normal).
bool IsUnder(const fs::path& path, const fs::path& dir) {
  auto dir_end = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end()).first;
  return dir_end == dir.end() || (std::next(dir_end) == dir.end() && dir_end->empty());
}

// The [Service] settings of a unit file: each key's assignments in order, an empty assignment
// clearing the list as systemd does. Comments and line continuations are handled.
std::map<std::string, std::vector<std::string>> ServiceSettings(const std::string& unit) {
  std::map<std::string, std::vector<std::string>> settings;
  std::istringstream in(unit);
  std::string section, line;
  while (std::getline(in, line)) {
    while (!line.empty() && line.back() == '\\') {
      std::string next;
      if (!std::getline(in, next)) break;
      line = line.substr(0, line.size() - 1) + " " + next;
    }
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      section = line;
      continue;
    }
    size_t eq = line.find('=');
    if (section != "[Service]" || eq == std::string::npos) continue;
    std::vector<std::string>& values = settings[line.substr(0, eq)];
    std::string value = line.substr(eq + 1);
    if (value.empty()) {
      values.clear();
    } else {
      values.push_back(value);
    }
  }
  return settings;
}

// Which paths a service may write, as systemd.exec(5) sets up its mount namespace: the most
// specific rule for a path wins; between equally specific ones, read-only does.
class Sandbox {
 public:
  explicit Sandbox(const std::string& unit) : settings_(ServiceSettings(unit)) {
    const std::string protect_system = Last("ProtectSystem");
    Rule("/", protect_system != "strict");
    if (protect_system == "yes" || protect_system == "true" || protect_system == "full") {
      for (const char* dir : {"/usr", "/boot", "/efi"}) Rule(dir, false);
    }
    if (protect_system == "full") Rule("/etc", false);
    const std::string protect_home = Last("ProtectHome");
    if (!protect_home.empty() && protect_home != "no" && protect_home != "false") {
      for (const char* dir : {"/home", "/root", "/run/user"}) Rule(dir, false);
    }
    if (Last("PrivateTmp") == "yes" || Last("PrivateTmp") == "true") {
      Rule("/tmp", true);
      Rule("/var/tmp", true);
    }
    // The service's own directories; ConfigurationDirectory= stays read-only.
    const std::map<std::string, std::string> roots = {{"StateDirectory", "/var/lib"},
                                                      {"CacheDirectory", "/var/cache"},
                                                      {"LogsDirectory", "/var/log"},
                                                      {"RuntimeDirectory", "/run"}};
    for (const auto& [key, root] : roots) {
      // "name:alias" also makes a link; the directory is the name.
      for (const std::string& name : All(key)) {
        Rule(fs::path(root) / name.substr(0, name.find(':')), true);
      }
    }
    for (const std::string& path : Paths("ReadWritePaths")) Rule(path, true);
    for (const std::string& path : Paths("ReadOnlyPaths")) Rule(path, false);
    for (const std::string& path : Paths("InaccessiblePaths")) Rule(path, false);
  }

  bool Writable(const fs::path& path) const {
    size_t best_depth = 0;
    bool writable = false;
    for (const auto& [dir, rw] : rules_) {
      if (!IsUnder(path, dir)) continue;
      size_t depth = std::distance(dir.begin(), dir.end());
      if (depth > best_depth || (depth == best_depth && !rw)) {
        best_depth = depth;
        writable = rw;
      }
    }
    return writable;
  }

  // The words of every assignment of `key`.
  std::vector<std::string> All(const std::string& key) const {
    std::vector<std::string> words;
    auto it = settings_.find(key);
    if (it == settings_.end()) return words;
    for (const std::string& value : it->second) {
      for (std::string& word : Words(value)) words.push_back(std::move(word));
    }
    return words;
  }
  // The paths of a *Paths= setting; `optional` collects those prefixed "-" (may be missing).
  std::vector<std::string> Paths(const std::string& key,
                                 std::vector<std::string>* optional = nullptr) const {
    std::vector<std::string> paths;
    for (std::string path : All(key)) {
      bool may_be_missing = false;
      while (!path.empty() && (path[0] == '-' || path[0] == '+')) {
        may_be_missing = may_be_missing || path[0] == '-';
        path.erase(0, 1);
      }
      (may_be_missing && optional ? *optional : paths).push_back(path);
    }
    return paths;
  }
  std::string Last(const std::string& key) const {
    auto it = settings_.find(key);
    return it == settings_.end() || it->second.empty() ? "" : it->second.back();
  }

 private:
  void Rule(const fs::path& path, bool writable) { rules_.emplace_back(path, writable); }

  std::map<std::string, std::vector<std::string>> settings_;
  std::vector<std::pair<fs::path, bool>> rules_;
};

// A directory tmpfiles.d creates: its path, mode and owner.
struct TmpfilesDir {
  std::string path, mode, user;
};

std::vector<TmpfilesDir> TmpfilesDirs(const std::string& text) {
  std::vector<TmpfilesDir> dirs;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields = Words(line);
    if (fields.size() < 4 || fields[0][0] == '#') continue;
    const char type = fields[0][0];
    if (type == 'd' || type == 'D' || type == 'v' || type == 'q' || type == 'Q') {
      dirs.push_back({fields[1], fields[2], fields[3]});
    }
  }
  return dirs;
}

// The places docs/operations.md promises the daemon may write under the unit, and why; the
// top-level ones are named there.
struct Promise {
  std::string path, what;
  bool named_in_docs;
};
const std::vector<Promise> kPromisedWritable = {
    {"/var/lib/edgesync", "the store (StateDirectory=edgesync)", true},
    {"/var/lib/edgesync/cluster", "the cluster key and certificate (cluster join --out)", false},
    {"/run/edgesync", "the control socket (RuntimeDirectory=edgesync)", true},
    {"/srv/edgesync", "checkout targets", true},
    {"/srv/edgesync/helmet.versions", "a checkout's version directories", false},
};

class SystemdSandboxTest : public ::testing::Test {
 protected:
  const std::string unit_ = ReadText(EDGESYNC_UNIT_FILE);
  const std::string tmpfiles_ = ReadText(kSystemdDir / "edgesync.tmpfiles");
  const Sandbox sandbox_{unit_};
};

TEST_F(SystemdSandboxTest, EveryPromisedPathIsWritable) {
  ASSERT_FALSE(unit_.empty());
  const std::string operations = ReadText(kDocsDir / "operations.md");
  for (const Promise& promise : kPromisedWritable) {
    EXPECT_TRUE(sandbox_.Writable(promise.path))
        << promise.path << " (" << promise.what << ") is read-only under the unit";
    if (promise.named_in_docs) {
      EXPECT_NE(operations.find("`" + promise.path), std::string::npos)
          << promise.path << " is not in docs/operations.md";
    }
  }
}

TEST_F(SystemdSandboxTest, EveryTmpfilesDirectoryIsWritableAndTheServiceUsers) {
  const std::string user = sandbox_.Last("User");
  ASSERT_EQ(user, "edgesync");
  std::vector<TmpfilesDir> dirs = TmpfilesDirs(tmpfiles_);
  ASSERT_FALSE(dirs.empty());
  for (const TmpfilesDir& dir : dirs) {
    EXPECT_TRUE(sandbox_.Writable(dir.path)) << dir.path << " is made for the daemon but read-only";
    EXPECT_EQ(dir.user, user) << dir.path;
    // The owner's write bit, e.g. 0755.
    ASSERT_GE(dir.mode.size(), 3u) << dir.path;
    const int owner = dir.mode[dir.mode.size() - 3] - '0';
    EXPECT_TRUE(owner & 2) << dir.path << " mode " << dir.mode;
  }
}

TEST_F(SystemdSandboxTest, EveryReadWritePathExistsAtStart) {
  std::vector<std::string> optional;
  std::vector<std::string> required = sandbox_.Paths("ReadWritePaths", &optional);
  ASSERT_FALSE(required.empty() && optional.empty()) << "no ReadWritePaths= at all";
  for (const std::string& path : required) {
    bool made = false;
    for (const TmpfilesDir& dir : TmpfilesDirs(tmpfiles_)) made = made || dir.path == path;
    EXPECT_TRUE(made) << path << " is in ReadWritePaths= but tmpfiles.d does not create it: the "
                      << "unit would fail to start (226/NAMESPACE) without it";
  }
}

TEST_F(SystemdSandboxTest, TheRestIsReadOnly) {
  ASSERT_EQ(sandbox_.Last("ProtectSystem"), "strict");
  for (const char* path : {"/etc/edgesync/edgesync.toml", "/usr/bin", "/var/lib/other", "/srv",
                           "/srv/other", "/home/ml/export", "/root", "/var/log"}) {
    EXPECT_FALSE(sandbox_.Writable(path)) << path;
  }
  EXPECT_TRUE(sandbox_.Writable("/tmp/x")) << "PrivateTmp: a private, writable /tmp";
}

// The model itself: without its ReadWritePaths= line the unit gives no checkout root, which
// is what shipped before.
TEST_F(SystemdSandboxTest, WithoutReadWritePathsTheCheckoutRootIsReadOnly) {
  std::string unit = unit_;
  size_t at = unit.find("\nReadWritePaths=");
  ASSERT_NE(at, std::string::npos);
  unit.erase(at + 1, unit.find('\n', at + 1) - at);
  Sandbox sandbox(unit);
  EXPECT_FALSE(sandbox.Writable("/srv/edgesync"));
  EXPECT_TRUE(sandbox.Writable("/var/lib/edgesync"));
  EXPECT_FALSE(Sandbox("[Service]\nProtectSystem=strict\nReadWritePaths=/srv/a\nReadOnlyPaths=/srv/a/b\n")
                   .Writable("/srv/a/b/c"));
  EXPECT_TRUE(Sandbox("[Service]\nProtectSystem=full\n").Writable("/srv/a"));
  EXPECT_FALSE(Sandbox("[Service]\nProtectSystem=full\n").Writable("/etc/x"));
}

}  // namespace
}  // namespace edgesync
