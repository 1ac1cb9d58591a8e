#include "syncd/config_keys.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "syncd/daemon_config.h"

namespace edgesync {
namespace {

// A row of the key table in docs/config.md.
struct DocumentedKey {
  std::string flag;  // "--label", or empty
  bool repeatable = false;
  std::string sighup;  // "restart" or "reloaded"
};

std::string Trim(const std::string& text) {
  size_t begin = text.find_first_not_of(' '), end = text.find_last_not_of(' ');
  return begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
}

// The text between the first pair of backticks, up to its first space ("--label k=v" -> "--label").
std::string FirstCode(const std::string& cell) {
  size_t open = cell.find('`');
  if (open == std::string::npos) return "";
  std::string code = cell.substr(open + 1, cell.find('`', open + 1) - open - 1);
  return code.substr(0, code.find(' '));
}

std::map<std::string, DocumentedKey> DocumentedKeys() {
  std::ifstream in(EDGESYNC_DOCS_DIR "/config.md");
  std::map<std::string, DocumentedKey> keys;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    for (size_t start = 1, bar; (bar = line.find('|', start)) != std::string::npos; start = bar + 1) {
      cells.push_back(line.substr(start, bar - start));
    }
    EXPECT_EQ(cells.size(), 5u) << line;  // key, flag, default, meaning, SIGHUP
    if (cells.size() != 5) continue;
    keys[FirstCode(cells[0])] = {FirstCode(cells[1]), cells[1].find("(repeatable)") != std::string::npos,
                                 Trim(cells[4])};
  }
  return keys;
}

TEST(ConfigKeysTest, DocsListEveryKeyWithItsFlagAndReload) {
  std::map<std::string, DocumentedKey> documented = DocumentedKeys();
  ASSERT_FALSE(documented.empty());
  std::set<std::string> in_table;
  for (const ConfigKey& key : ConfigKeys()) {
    std::string name(key.name);
    in_table.insert(name);
    auto doc = documented.find(name);
    if (doc == documented.end()) {
      ADD_FAILURE() << name << " is missing from docs/config.md";
      continue;
    }
    EXPECT_EQ(doc->second.flag, key.flag) << name;
    EXPECT_EQ(doc->second.repeatable, !key.flag.empty() && key.type.arity == FlagArity::kRepeated) << name;
    EXPECT_EQ(doc->second.sighup, key.on_sighup == OnSighup::kReloaded ? "reloaded" : "restart") << name;
  }
  for (const auto& [name, doc] : documented)
    EXPECT_TRUE(in_table.count(name)) << name << " is not in the table";
}

TEST(ConfigKeysTest, NamesAndFlagsAreUniqueAndEveryFlagIsRead) {
  std::set<std::string_view> names, flags;
  for (const ConfigKey& key : ConfigKeys()) {
    EXPECT_TRUE(names.insert(key.name).second) << key.name;
    EXPECT_EQ(FindConfigKey(key.name), &key);
    if (key.flag.empty()) continue;
    EXPECT_TRUE(flags.insert(key.flag).second) << key.flag;
    EXPECT_TRUE(key.type.read_flag) << key.name;
    EXPECT_FALSE(key.flag_help.empty()) << key.name;
  }
  EXPECT_EQ(FindConfigKey("node.colour"), nullptr);
}

// A value other than the default for each key, as the file writes it and as its flag takes it.
struct Sample {
  std::string_view toml;
  std::string_view flag;  // unused for keys without a flag and for switches
};

const std::map<std::string_view, Sample> kSamples = {
    {"node.name", {R"("edge-7")", "edge-7"}},
    {"node.labels", {R"({ role = "edge" })", "role=edge"}},
    {"storage.data_dir", {R"("state")", "state"}},
    {"storage.block_cache", {R"("16MiB")", "16MiB"}},
    {"storage.write_buffer", {R"("64MiB")", "64MiB"}},
    {"storage.chunk_tier", {R"("s3://models/cloud-1")", "s3://models/cloud-1"}},
    {"storage.chunk_cache", {R"("4GiB")", "4GiB"}},
    {"storage.pack_size", {R"("16MiB")", ""}},
    {"storage.checkpoint_interval", {R"("10m")", ""}},
    {"storage.keep_versions", {"3", "3"}},
    {"storage.keep_for", {R"("7d")", "7d"}},
    {"storage.retention", {R"([{ glob = "dataset/*", keep_versions = 2 }])", ""}},
    {"storage.max_bytes", {R"("300MiB")", "300MiB"}},
    {"storage.min_free", {R"("5%")", "5%"}},
    {"storage.encryption", {R"("on")", "on"}},
    {"storage.encryption_key_file", {R"("keys/store.key")", "keys/store.key"}},
    {"chunking.min", {R"("32KiB")", "32KiB"}},
    {"chunking.avg", {R"("128KiB")", "128KiB"}},
    {"chunking.max", {R"("512KiB")", "512KiB"}},
    {"control.socket", {R"("/run/x/c.sock")", "/run/x/c.sock"}},
    {"control.group", {R"("edgesync")", "edgesync"}},
    {"network.peer_listen", {R"("[::1]:7781")", "[::1]:7781"}},
    {"network.http_status", {R"("off")", "off"}},
    {"network.http_token", {R"("s3cret")", ""}},
    {"network.http_allowed_origins", {R"(["https://ops.example"])", ""}},
    {"network.peers", {R"(["cloud.example:7443"])", "cloud.example:7443"}},
    {"network.max_peers", {"3", "3"}},
    {"network.max_send_rate", {R"("2MiB/s")", "2MiB/s"}},
    {"network.max_recv_rate", {R"("20Mbit/s")", "20Mbit/s"}},
    {"network.peer_rates", {R"([{ labels = "role=edge", send = "1MiB/s" }])", ""}},
    {"network.rate_schedule", {R"([{ days = "mon-fri", from = "08:00", to = "18:00", send = "2MiB/s" }])", ""}},
    {"network.insecure_plaintext_for_tests", {"true", ""}},
    {"cluster.ca_cert", {R"("pki/ca.crt")", "pki/ca.crt"}},
    {"cluster.cert", {R"("pki/node.crt")", "pki/node.crt"}},
    {"cluster.key", {R"("pki/node.key")", "pki/node.key"}},
    {"cluster.crl", {R"("pki/crl.pem")", "pki/crl.pem"}},
    {"cluster.join_listen", {R"("127.0.0.1:7444")", "127.0.0.1:7444"}},
    {"cluster.join_ca", {R"("pki/ca")", "pki/ca"}},
    {"cluster.id", {R"("factory-1")", "factory-1"}},
    {"replication.window_bytes", {R"("8MiB")", "8MiB"}},
    {"sync.max_offline", {R"("2d")", "2d"}},
    {"sync.subscriptions", {R"(["model/*"])", "model/*"}},
    {"sync.priorities", {R"(["model/*-hotfix=urgent"])", "model/*-hotfix=urgent"}},
    {"log.level", {R"("debug")", "debug"}},
    {"history.git_mirror", {R"("history.git")", ""}},
    {"checkout.grace_period", {R"("5m")", ""}},
    {"fleet.heartbeat", {R"("30s")", ""}},
    {"fleet.stale_after", {R"("10m")", ""}},
    {"checkout.max_old_versions", {"3", ""}},
    {"s3.endpoint", {R"("http://127.0.0.1:9000")", ""}},
    {"s3.region", {R"("eu-west-1")", ""}},
    {"s3.addressing", {R"("virtual")", ""}},
    {"s3.credentials_file", {R"("/etc/edgesync/aws")", ""}},
    {"s3.profile", {R"("edge")", ""}},
};

// Exactly `name` differs between the two configurations, as each key compares itself.
void ExpectOnlyKeyDiffers(const DaemonConfig& a, const DaemonConfig& b, std::string_view name,
                          const char* how) {
  for (const ConfigKey& other : ConfigKeys()) {
    EXPECT_EQ(other.type.same(a, b), other.name != name) << how << " " << name << ": " << other.name;
  }
}

// File and flag both set each key's own member and nothing else, to the same value, and the
// restart check names exactly the keys SIGHUP does not apply.
TEST(ConfigKeysTest, EveryKeyReadsIntoItsOwnMemberFromFileAndFlag) {
  ProcessEnvironment env;
  env.cwd = "/home/op";
  const DaemonConfig defaults = DaemonConfig::Defaults(env);
  const std::filesystem::path dir = "/etc/edgesync";  // the file's directory and the flags' cwd
  for (const ConfigKey& key : ConfigKeys()) {
    auto sample = kSamples.find(key.name);
    ASSERT_NE(sample, kSamples.end()) << "no sample value for " << key.name;
    std::string name(key.name), table = name.substr(0, name.find('.'));
    std::string toml =
        "[" + table + "]\n" + name.substr(table.size() + 1) + " = " + std::string(sample->second.toml) + "\n";
    DaemonConfig from_file = defaults;
    Status read = ApplyConfigToml(toml, "test.toml", dir, &from_file);
    ASSERT_TRUE(read.ok()) << read.ToString();
    ExpectOnlyKeyDiffers(defaults, from_file, key.name, "file");
    EXPECT_EQ(KeysNeedingRestart(defaults, from_file), key.on_sighup == OnSighup::kRestart
                                                           ? std::vector<std::string>{name}
                                                           : std::vector<std::string>{});
    if (key.flag.empty()) continue;

    ConfigOverrides overrides;
    if (key.type.arity == FlagArity::kSwitch) {
      overrides[name] = {};
    } else {
      overrides[name] = {std::string(sample->second.flag)};
    }
    DaemonConfig from_flag = defaults;
    Status applied = ApplyOverrides(overrides, dir, &from_flag);
    ASSERT_TRUE(applied.ok()) << applied.ToString();
    ExpectOnlyKeyDiffers(defaults, from_flag, key.name, "flag");
    EXPECT_TRUE(key.type.same(from_file, from_flag)) << name;
  }
}

TEST(ConfigKeysTest, OverridesNameTheFlagAndRefuseUnknownKeys) {
  DaemonConfig config = DaemonConfig::Defaults(ProcessEnvironment());
  Status bad = ApplyOverrides({{"sync.max_offline", {"soon"}}}, "/", &config);
  EXPECT_EQ(bad.message().rfind("--max-offline: ", 0), 0u) << bad.message();
  EXPECT_FALSE(ApplyOverrides({{"network.http_token", {"s3cret"}}}, "/", &config).ok());  // no flag
  EXPECT_FALSE(ApplyOverrides({{"node.colour", {"red"}}}, "/", &config).ok());
  EXPECT_FALSE(ApplyOverrides({{"node.name", {}}}, "/", &config).ok());
}

// Malformed rates, invalid or overlapping windows and unknown classes are errors naming the file,
// line and key (the daemon exits 78 at start; a reload logs them and keeps running).
TEST(ConfigKeysTest, BandwidthAndPriorityKeysRefuseBadValuesNamingTheKey) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[network]\nmax_send_rate = \"2MiB\"\n", "test.toml:2: key 'network.max_send_rate': rate '2MiB'"},
      {"[network]\nmax_recv_rate = 20\n", "test.toml:2: key 'network.max_recv_rate' must be a string"},
      {"[[network.rate_schedule]]\ndays = \"mon-fri\"\nfrom = \"08:00\"\nto = \"18:00\"\nsend = \"2MiB/s\"\n"
       "[[network.rate_schedule]]\ndays = \"fri\"\nfrom = \"17:00\"\nto = \"02:00\"\n",
       "key 'network.rate_schedule': rate_schedule windows 1 (mon-fri 08:00-18:00) and 2 (fri 17:00-02:00) overlap"},
      {"[[network.rate_schedule]]\ndays = \"weekdays\"\nfrom = \"08:00\"\nto = \"18:00\"\n",
       "key 'network.rate_schedule': days 'weekdays'"},
      {"[[network.rate_schedule]]\ndays = \"mon\"\nfrom = \"08:00\"\n", "must be a table with to"},
      {"[[network.rate_schedule]]\ndays = \"mon\"\nfrom = \"08:00\"\nto = \"25:00\"\n", "time '25:00'"},
      {"[[network.rate_schedule]]\ndays = \"mon\"\nfrom = \"08:00\"\nto = \"09:00\"\nrate = \"1MiB/s\"\n",
       "unknown key 'network.rate_schedule.rate'"},
      {"[[network.peer_rates]]\nsend = \"1MiB/s\"\n", "must be a table with either node or labels"},
      {"[[network.peer_rates]]\nnode = \"edge-1\"\n", "must be a table with send and/or recv"},
      {"[[network.peer_rates]]\nlabels = \"role\"\nsend = \"1MiB/s\"\n", "labels 'role' must be key=value"},
      {"[sync]\npriorities = [\"dataset/*=slow\"]\n", "unknown priority class 'slow' (urgent, normal or bulk)"},
      {"[sync]\npriorities = [\"dataset/*\"]\n", "must be glob=class"},
  };
  for (const auto& [toml, expected] : cases) {
    DaemonConfig config = DaemonConfig::Defaults(ProcessEnvironment());
    Status st = ApplyConfigToml(toml, "test.toml", "/etc/edgesync", &config);
    EXPECT_FALSE(st.ok()) << toml;
    EXPECT_NE(st.message().find(expected), std::string::npos) << st.message();
  }
  DaemonConfig config = DaemonConfig::Defaults(ProcessEnvironment());
  EXPECT_FALSE(ApplyOverrides({{"network.max_send_rate", {"fast"}}}, "/", &config).ok());
  ASSERT_TRUE(ApplyConfigToml("[[network.peer_rates]]\nnode = \"lan-cache\"\nsend = \"unlimited\"\n"
                              "[[network.peer_rates]]\nlabels = \"role=edge,site=hall-3\"\nrecv = \"1MiB/s\"\n",
                              "test.toml", "/etc/edgesync", &config)
                  .ok());
  ASSERT_EQ(config.bandwidth.peers.size(), 2u);
  EXPECT_EQ(config.bandwidth.peers[0].node_id, "lan-cache");
  EXPECT_TRUE(config.bandwidth.peers[0].send->unlimited());
  EXPECT_EQ(config.bandwidth.peers[1].Describe(), "role=edge,site=hall-3");
  EXPECT_FALSE(config.bandwidth.peers[1].send.has_value());
}

}  // namespace
}  // namespace edgesync
