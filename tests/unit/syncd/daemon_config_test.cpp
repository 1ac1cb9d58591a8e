#include "syncd/daemon_config.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

ProcessEnvironment Env() {
  ProcessEnvironment env;
  env.cwd = "/home/op/work";
  env.uid = 1000;
  return env;
}

Status Apply(const std::string& text, DaemonConfig* config) {
  return ApplyConfigToml(text, "test.toml", "/etc/edgesync", config);
}

TEST(DaemonConfigTest, DefaultsAreComplete) {
  Result<DaemonConfig> config = LoadDaemonConfig({}, {}, Env());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->data_dir, "/home/op/work/data");
  EXPECT_EQ(config->control_socket, "/home/op/work/data/control.sock");
  EXPECT_FALSE(config->peer_listen.enabled);
  EXPECT_EQ(config->http_status.ToString(), "127.0.0.1:7780");
  EXPECT_EQ(config->log_level, "info");
  EXPECT_EQ(config->subscriptions, std::vector<std::string>{"*"});
  EXPECT_EQ(config->chunking.avg_size, 64u * 1024);
  EXPECT_FALSE(config->node_name.empty());
}

TEST(DaemonConfigTest, ParsesEveryKey) {
  DaemonConfig config = DaemonConfig::Defaults(Env());
  Status st = Apply(R"(
[node]
name = "edge-7"
labels = { role = "edge", site = "hall-3" }
[storage]
data_dir = "state"
block_cache = "16MiB"
write_buffer = 67108864
[chunking]
min = "32KiB"
avg = "128KiB"
max = "512KiB"
[control]
socket = "/run/x/c.sock"
group = "edgesync"
[network]
peer_listen = "[::]:7781"
http_status = "off"
[log]
level = "debug"
[sync]
subscriptions = ["model/*", "meta/*"]
[history]
git_mirror = "history.git"
)",
                    &config);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(config.node_name, "edge-7");
  EXPECT_EQ(config.labels.at("site"), "hall-3");
  EXPECT_EQ(config.data_dir, "/etc/edgesync/state");  // relative to the file's directory
  EXPECT_EQ(config.block_cache_bytes, 16u << 20);
  EXPECT_EQ(config.write_buffer_bytes, 64u << 20);
  EXPECT_EQ(config.chunking.max_size, 512u * 1024);
  EXPECT_EQ(config.control_socket, "/run/x/c.sock");
  EXPECT_EQ(config.socket_group, "edgesync");
  EXPECT_EQ(config.peer_listen.host, "::");
  EXPECT_EQ(config.peer_listen.port, 7781);
  EXPECT_FALSE(config.http_status.enabled);
  EXPECT_EQ(config.log_level, "debug");
  EXPECT_EQ(config.subscriptions.size(), 2u);
  EXPECT_EQ(config.history_git_mirror, "/etc/edgesync/history.git");
  EXPECT_TRUE(config.Validate().ok());
}

TEST(DaemonConfigTest, RejectsUnknownKeysAndWrongTypesNamingThem) {
  DaemonConfig config = DaemonConfig::Defaults(Env());
  Status unknown = Apply("[node]\nname = \"a\"\ncolour = \"red\"\n", &config);
  EXPECT_NE(unknown.message().find("test.toml:3"), std::string::npos) << unknown.message();
  EXPECT_NE(unknown.message().find("node.colour"), std::string::npos);
  EXPECT_FALSE(Apply("top = 1\n", &config).ok());
  Status type = Apply("[storage]\nblock_cache = true\n", &config);
  EXPECT_NE(type.message().find("storage.block_cache"), std::string::npos) << type.message();
  EXPECT_FALSE(Apply("[node]\nlabels = { role = 3 }\n", &config).ok());
  EXPECT_FALSE(Apply("[node]\nlabels = { \"bad key\" = \"x\" }\n", &config).ok());
  EXPECT_FALSE(Apply("[network]\nhttp_status = \"nohost\"\n", &config).ok());
  EXPECT_FALSE(Apply("[log]\nlevel = \"verbose\"\n", &config).ok());
  EXPECT_FALSE(Apply("node = 1\n", &config).ok());
  Status syntax = Apply("[node\n", &config);
  EXPECT_NE(syntax.message().find("test.toml:1"), std::string::npos) << syntax.message();
}

TEST(DaemonConfigTest, StatusAddressTokenAndOrigins) {
  DaemonConfig config = DaemonConfig::Defaults(Env());
  config.data_dir = "/var/lib/edgesync";
  EXPECT_TRUE(config.http_token.empty());
  EXPECT_TRUE(config.http_allowed_origins.empty());
  ASSERT_TRUE(Apply("[network]\nhttp_status = \"0.0.0.0:7780\"\n", &config).ok());
  Status no_token = config.Validate();
  EXPECT_NE(no_token.message().find("network.http_token"), std::string::npos) << no_token.message();
  ASSERT_TRUE(Apply("[network]\nhttp_token = \"s3cret\"\n"
                    "http_allowed_origins = [\"https://ops.example\", \"http://10.0.0.5:7780\"]\n",
                    &config).ok());
  EXPECT_TRUE(config.Validate().ok());
  EXPECT_EQ(config.http_token, "s3cret");
  EXPECT_EQ(config.http_allowed_origins,
            (std::vector<std::string>{"https://ops.example", "http://10.0.0.5:7780"}));
  Status scheme = Apply("[network]\nhttp_allowed_origins = [\"ops.example\"]\n", &config);
  EXPECT_NE(scheme.message().find("network.http_allowed_origins"), std::string::npos) << scheme.message();
  EXPECT_FALSE(Apply("[network]\nhttp_allowed_origins = \"https://ops.example\"\n", &config).ok());
  DaemonConfig loopback = DaemonConfig::Defaults(Env());
  loopback.data_dir = "/var/lib/edgesync";
  EXPECT_TRUE(loopback.Validate().ok());  // 127.0.0.1 needs no token
}

TEST(DaemonConfigTest, ReplicationAndClusterKeys) {
  DaemonConfig config = DaemonConfig::Defaults(Env());
  config.data_dir = "/var/lib/edgesync";
  EXPECT_FALSE(config.replication_enabled());
  ClusterFiles defaults = ResolveClusterFiles(config);
  EXPECT_EQ(defaults.ca_cert, "/var/lib/edgesync/cluster/ca.crt");
  EXPECT_EQ(defaults.cert, "/var/lib/edgesync/cluster/node.crt");
  EXPECT_EQ(defaults.key, "/var/lib/edgesync/cluster/node.key");
  EXPECT_EQ(defaults.crl, "/var/lib/edgesync/cluster/crl.pem");
  EXPECT_FALSE(defaults.crl_required);

  Status st = Apply(R"(
[network]
peers = ["cloud.example:7443", "[fd00::1]:7443"]
[cluster]
ca_cert = "pki/ca.crt"
crl = "/etc/edgesync/revoked.pem"
id = "factory-1"
[replication]
window_bytes = "8MiB"
)",
                    &config);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(config.peers.size(), 2u);
  EXPECT_EQ(config.peers[0].host, "cloud.example");
  EXPECT_EQ(config.peers[1].ToString(), "[fd00::1]:7443");
  EXPECT_TRUE(config.replication_enabled());
  EXPECT_EQ(config.cluster.id, "factory-1");
  EXPECT_EQ(config.replication_window_bytes, 8u << 20);
  ClusterFiles files = ResolveClusterFiles(config);
  EXPECT_EQ(files.ca_cert, "/etc/edgesync/pki/ca.crt");
  EXPECT_EQ(files.cert, "/var/lib/edgesync/cluster/node.crt");
  EXPECT_TRUE(files.crl_required);
  config.control_socket = "/tmp/c.sock";
  EXPECT_TRUE(config.Validate().ok());

  EXPECT_FALSE(Apply("[network]\npeers = [\"nohost\"]\n", &config).ok());
  EXPECT_FALSE(Apply("[network]\npeers = [\"a:0\"]\n", &config).ok());
  EXPECT_FALSE(Apply("[network]\ninsecure_plaintext_for_tests = \"yes\"\n", &config).ok());
  config.replication_window_bytes = 64u << 20;
  EXPECT_NE(config.Validate().message().find("window_bytes"), std::string::npos);
  config.replication_window_bytes = 16u << 20;
  config.cluster.id = "bad id";
  EXPECT_NE(config.Validate().message().find("cluster.id"), std::string::npos);
  config.cluster.id = "";
  config.insecure_plaintext_for_tests = true;
  EXPECT_NE(config.Validate().message().find("loopback"), std::string::npos);
  config.peers = {*PeerAddress::Parse("127.0.0.1:7443")};
  EXPECT_TRUE(config.Validate().ok());

  ConfigOverrides overrides{{"network.peers", {"10.0.0.1:7443"}},
                            {"cluster.cert", {"n.crt"}},
                            {"replication.window_bytes", {"4MiB"}},
                            {"network.insecure_plaintext_for_tests", {}}};
  ASSERT_TRUE(ApplyOverrides(overrides, "/cwd", &config).ok());
  EXPECT_EQ(config.peers[0].host, "10.0.0.1");
  EXPECT_EQ(config.cluster.cert, "/cwd/n.crt");
  EXPECT_EQ(config.replication_window_bytes, 4u << 20);
  EXPECT_FALSE(config.Validate().ok());  // plaintext with a non-loopback peer
}

TEST(DaemonConfigTest, ValidateChecksCombinedValues) {
  DaemonConfig config = DaemonConfig::Defaults(Env());
  config.control_socket = "/tmp/c.sock";
  config.chunking.avg_size = 100000;  // not a power of two
  EXPECT_FALSE(config.Validate().ok());
  config = DaemonConfig::Defaults(Env());
  config.control_socket = "/" + std::string(200, 'x');
  EXPECT_NE(config.Validate().message().find("unix socket"), std::string::npos);
  config = DaemonConfig::Defaults(Env());
  config.control_socket = "/tmp/c.sock";
  config.peer_listen = *ListenAddress::Parse("127.0.0.1:7780");
  EXPECT_FALSE(config.Validate().ok());
}

// storage.encryption: the key file from the key, or from the systemd credential; refused with no
// key, with a key but encryption off, with a chunk tier, and for a value other than on/off.
TEST(DaemonConfigTest, EncryptionKeys) {
  DaemonConfig config = DaemonConfig::Defaults(Env());
  ASSERT_TRUE(Apply("[storage]\nencryption = \"on\"\nencryption_key_file = \"keys/store.key\"\n", &config).ok());
  EXPECT_TRUE(config.encryption);
  EXPECT_EQ(config.encryption_key_file, "/etc/edgesync/keys/store.key");
  EXPECT_FALSE(Apply("[storage]\nencryption = \"yes\"\n", &config).ok());
  EXPECT_FALSE(Apply("[storage]\nencryption = true\n", &config).ok());

  ConfigOverrides on{{"storage.encryption", {"on"}}};
  ProcessEnvironment systemd = Env();
  systemd.credentials_directory = "/run/credentials/edgesyncd.service";
  Result<DaemonConfig> credential = LoadDaemonConfig({}, on, systemd);
  ASSERT_TRUE(credential.ok()) << credential.status().ToString();
  EXPECT_EQ(credential->encryption_key_file, "/run/credentials/edgesyncd.service/edgesync-store-key");
  Result<DaemonConfig> no_key = LoadDaemonConfig({}, on, Env());
  ASSERT_FALSE(no_key.ok());
  EXPECT_NE(no_key.status().message().find("needs storage.encryption_key_file"), std::string::npos)
      << no_key.status().message();
  Result<DaemonConfig> off = LoadDaemonConfig({}, {{"storage.encryption_key_file", {"k"}}}, systemd);
  ASSERT_FALSE(off.ok());
  EXPECT_NE(off.status().message().find("storage.encryption is off"), std::string::npos) << off.status().message();
  Result<DaemonConfig> off_with_credential = LoadDaemonConfig({}, {}, systemd);
  ASSERT_TRUE(off_with_credential.ok());
  EXPECT_TRUE(off_with_credential->encryption_key_file.empty());

  config = DaemonConfig::Defaults(Env());
  config.control_socket = "/tmp/c.sock";
  config.encryption = true;
  config.encryption_key_file = "/k";
  config.chunk_tier = "s3://bucket/prefix";
  EXPECT_NE(config.Validate().message().find("cannot be combined with storage.chunk_tier"), std::string::npos);
}

TEST(DaemonConfigTest, FlagsOverrideFile) {
  ConfigOverrides overrides{{"node.name", {"from-flag"}},
                            {"node.labels", {"role=cloud"}},
                            {"storage.data_dir", {"d"}},
                            {"chunking.avg", {"32KiB"}},
                            {"sync.subscriptions", {"dataset/*"}}};
  DaemonConfig config = DaemonConfig::Defaults(Env());
  ASSERT_TRUE(Apply("[node]\nname = \"file\"\nlabels = { role = \"edge\", site = \"s\" }\n",
                    &config).ok());
  ASSERT_TRUE(ApplyOverrides(overrides, "/cwd", &config).ok());
  EXPECT_EQ(config.node_name, "from-flag");
  EXPECT_EQ(config.labels.at("role"), "cloud");
  EXPECT_EQ(config.labels.at("site"), "s");
  EXPECT_EQ(config.data_dir, "/cwd/d");
  EXPECT_EQ(config.chunking.avg_size, 32u * 1024);
  EXPECT_EQ(config.subscriptions, std::vector<std::string>{"dataset/*"});
  overrides["node.labels"] = {"novalue"};
  EXPECT_FALSE(ApplyOverrides(overrides, "/cwd", &config).ok());
}

TEST(DaemonConfigTest, Durations) {
  EXPECT_EQ(*ParseDurationMs("90"), 90'000u);
  EXPECT_EQ(*ParseDurationMs("90s"), 90'000u);
  EXPECT_EQ(*ParseDurationMs("15m"), 900'000u);
  EXPECT_EQ(*ParseDurationMs("12h"), 43'200'000u);
  EXPECT_EQ(*ParseDurationMs("30d"), 2'592'000'000u);
  EXPECT_FALSE(ParseDurationMs("0s").ok());
  EXPECT_FALSE(ParseDurationMs("30w").ok());
  EXPECT_FALSE(ParseDurationMs("d").ok());
  EXPECT_FALSE(ParseDurationMs("-1d").ok());
  EXPECT_FALSE(ParseDurationMs("36501d").ok());
}

TEST(DaemonConfigTest, CheckoutRetentionKeys) {
  DaemonConfig config = DaemonConfig::Defaults(Env());
  EXPECT_EQ(config.checkout_grace_ms, 60'000u);
  EXPECT_EQ(config.checkout_max_old_versions, 8u);
  ASSERT_TRUE(Apply("[checkout]\ngrace_period = \"5m\"\nmax_old_versions = 3\n", &config).ok());
  EXPECT_EQ(config.checkout_grace_ms, 300'000u);
  EXPECT_EQ(config.checkout_max_old_versions, 3u);
  Status zero = Apply("[checkout]\nmax_old_versions = 0\n", &config);
  EXPECT_NE(zero.message().find("checkout.max_old_versions"), std::string::npos) << zero.ToString();
  Status bad = Apply("[checkout]\ngrace_period = \"soon\"\n", &config);
  EXPECT_NE(bad.message().find("checkout.grace_period"), std::string::npos) << bad.ToString();
  DaemonConfig changed = config;
  changed.checkout_grace_ms = 1000;
  EXPECT_EQ(KeysNeedingRestart(config, changed),
            std::vector<std::string>{"checkout.grace_period"});
}

TEST(DaemonConfigTest, ByteSizesAndListenAddresses) {
  EXPECT_EQ(*ParseByteSize("4096"), 4096u);
  EXPECT_EQ(*ParseByteSize("64KiB"), 65536u);
  EXPECT_EQ(*ParseByteSize("2G"), 2ull << 30);
  EXPECT_FALSE(ParseByteSize("12 parsecs").ok());
  EXPECT_FALSE(ParseByteSize("").ok());
  EXPECT_FALSE(ListenAddress::Parse("1.2.3.4").ok());
  EXPECT_FALSE(ListenAddress::Parse("1.2.3.4:99999").ok());
  EXPECT_FALSE(ListenAddress::Parse("::1:80").ok());
  // Found by fuzz_config: hosts that are neither names, IPv4 nor bracketed IPv6 literals.
  EXPECT_FALSE(ListenAddress::Parse("[[127]:7443").ok());
  EXPECT_FALSE(ListenAddress::Parse("0.0.~0.0:7780").ok());
  EXPECT_FALSE(ListenAddress::Parse("[cloud]:7443").ok());
  EXPECT_EQ(ListenAddress::Parse("[::1]:7443")->host, "::1");
  EXPECT_EQ(ListenAddress::Parse("cloud-1.factory.example:7443")->host, "cloud-1.factory.example");
  EXPECT_EQ(ListenAddress::Parse("[::1]:80")->ToString(), "[::1]:80");
  EXPECT_FALSE(ListenAddress::Parse("off")->enabled);
}

TEST(DaemonConfigTest, KeysNeedingRestart) {
  DaemonConfig a = DaemonConfig::Defaults(Env());
  DaemonConfig b = a;
  b.labels["role"] = "edge";
  b.log_level = "debug";
  b.subscriptions = {"model/*"};
  EXPECT_TRUE(KeysNeedingRestart(a, b).empty());
  b.chunking.avg_size *= 2;
  b.http_status.port = 1;
  b.history_git_mirror = "/var/lib/edgesync/history.git";
  EXPECT_EQ(KeysNeedingRestart(a, b),
            (std::vector<std::string>{"chunking.avg", "network.http_status", "history.git_mirror"}));
}

}  // namespace
}  // namespace edgesync
