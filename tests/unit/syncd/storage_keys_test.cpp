#include "syncd/storage_keys.h"

#include <gtest/gtest.h>

#include "syncd/daemon_config.h"

namespace edgesync {
namespace {

constexpr uint64_t kDay = 24ull * 3600 * 1000;

Status Apply(const std::string& text, DaemonConfig* config) {
  return ApplyConfigToml(text, "test.toml", "/etc/edgesync", config);
}

DaemonConfig Defaults() {
  ProcessEnvironment env;
  env.cwd = "/home/op";
  return DaemonConfig::Defaults(env);
}

TEST(StorageKeysTest, RetentionKeysAndPerGlobOverrides) {
  DaemonConfig config = Defaults();
  EXPECT_EQ(config.keep_versions, 10u);
  EXPECT_EQ(config.keep_for_ms, 0u);
  Status st = Apply(R"(
[storage]
keep_versions = 4
keep_for = "30d"
[[storage.retention]]
glob = "dataset/*"
keep_versions = 2
[[storage.retention]]
glob = "model/[ab]*"
keep_for = "off"
)",
                    &config);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(config.keep_versions, 4u);
  EXPECT_EQ(config.keep_for_ms, 30 * kDay);
  ASSERT_EQ(config.retention_overrides.size(), 2u);
  EXPECT_EQ(config.retention_overrides[0], (RetentionOverride{"dataset/*", 2, std::nullopt}));
  EXPECT_EQ(config.retention_overrides[1], (RetentionOverride{"model/[ab]*", std::nullopt, 0}));
}

TEST(StorageKeysTest, MalformedRetentionIsAnErrorNamingTheKeyAndLine) {
  struct Case {
    const char* toml;
    const char* names;
  };
  for (const Case& c : {
           Case{"[storage]\nkeep_versions = 0\n", "storage.keep_versions"},
           Case{"[storage]\nkeep_for = \"soon\"\n", "storage.keep_for"},
           Case{"[[storage.retention]]\nglob = \"model/[ab\"\nkeep_versions = 2\n", "without its ']'"},
           Case{"[[storage.retention]]\nglob = \"\"\nkeep_versions = 2\n", "1-1024 bytes"},
           Case{"[[storage.retention]]\nkeep_versions = 2\n", "needs a glob"},
           Case{"[[storage.retention]]\nglob = \"x/*\"\n", "sets neither"},
           Case{"[[storage.retention]]\nglob = \"x/*\"\nkeep_for = \"1 fortnight\"\n", "keep_for must be"},
           Case{"[[storage.retention]]\nglob = \"x/*\"\nkeep = 3\n", "unknown field 'keep'"},
           Case{"[storage]\nretention = \"x\"\n", "array of tables"},
       }) {
    DaemonConfig config = Defaults();
    Status st = Apply(c.toml, &config);
    EXPECT_FALSE(st.ok()) << c.toml;
    EXPECT_NE(st.message().find(c.names), std::string::npos) << st.ToString();
    EXPECT_NE(st.message().find("test.toml:"), std::string::npos) << st.ToString();
  }
}

TEST(StorageKeysTest, QuotaSizesAreBytesOrPercents) {
  DaemonConfig config = Defaults();
  EXPECT_EQ(config.max_bytes, DiskSize{});
  ASSERT_TRUE(Apply("[storage]\nmax_bytes = \"300MiB\"\nmin_free = \"5.5%\"\n", &config).ok());
  EXPECT_EQ(config.max_bytes, (DiskSize{300ull << 20, 0}));
  EXPECT_EQ(config.min_free, (DiskSize{0, 5.5}));
  ASSERT_TRUE(Apply("[storage]\nmax_bytes = 1048576\n", &config).ok());
  EXPECT_EQ(config.max_bytes, (DiskSize{1 << 20, 0}));
  for (const char* bad : {"\"lots\"", "\"120%\"", "\"0%\"", "\"%\"", "-5", "true"}) {
    DaemonConfig c = Defaults();
    Status st = Apply(std::string("[storage]\nmax_bytes = ") + bad + "\n", &c);
    EXPECT_FALSE(st.ok()) << bad;
    EXPECT_NE(st.message().find("storage.max_bytes"), std::string::npos) << st.ToString();
  }
}

TEST(StorageKeysTest, RetentionIsAppliedOnReload) {
  DaemonConfig running = Defaults(), reloaded = running;
  ASSERT_TRUE(Apply("[storage]\nkeep_versions = 3\nkeep_for = \"7d\"\n", &reloaded).ok());
  EXPECT_TRUE(KeysNeedingRestart(running, reloaded).empty());
}

}  // namespace
}  // namespace edgesync
