#include "syncd/daemon_config.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "syncd/config_keys.h"
#include "syncd/deploy_tables.h"
#include "transport/identity.h"

namespace edgesync {
namespace {

std::string HostName() {
  std::array<char, 256> buf{};
  if (::gethostname(buf.data(), buf.size() - 1) != 0 || buf[0] == '\0') return "edgesync";
  return buf.data();
}

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// True when some key of the table is "<name>.<key>".
bool IsTableName(const std::string& name) {
  std::string prefix = name + ".";
  return std::any_of(ConfigKeys().begin(), ConfigKeys().end(),
                     [&](const ConfigKey& key) { return key.name.starts_with(prefix); });
}

}  // namespace

Result<ListenAddress> ListenAddress::Parse(std::string_view text) {
  ListenAddress address;
  if (text == "off" || text.empty()) return address;
  std::string_view host, port;
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Status::InvalidArgument("'" + std::string(text) + "' is not [ipv6]:port");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return Status::InvalidArgument("'" + std::string(text) +
                                     "' is not host:port (or \"off\"; IPv6 as [addr]:port)");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || port.empty() || value > 65535) {
    return Status::InvalidArgument("'" + std::string(port) + "' is not a port number (0-65535)");
  }
  if (host.empty()) return Status::InvalidArgument("'" + std::string(text) + "' has no host");
  // Bracketed: an IPv6 literal. Otherwise a host name or IPv4 address (letters, digits, '.-_').
  in6_addr v6;
  const bool bracketed = text.front() == '[';
  const bool host_ok = bracketed ? ::inet_pton(AF_INET6, std::string(host).c_str(), &v6) == 1
                                 : std::all_of(host.begin(), host.end(), [](char c) {
                                     return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
                                   });
  if (!host_ok) {
    return Status::InvalidArgument("'" + std::string(host) + "' is not " +
                                   (bracketed ? "an IPv6 address" : "a host name or IPv4 address"));
  }
  address.enabled = true;
  address.host = std::string(host);
  address.port = static_cast<uint16_t>(value);
  return address;
}

std::string ListenAddress::ToString() const {
  if (!enabled) return "off";
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<PeerAddress> PeerAddress::Parse(std::string_view text) {
  Result<ListenAddress> address = ListenAddress::Parse(text);
  if (!address.ok()) return address.status();
  if (!address->enabled || address->port == 0) {
    return Status::InvalidArgument("peer '" + std::string(text) + "' must be host:port with a port");
  }
  return PeerAddress{address->host, address->port};
}

std::string PeerAddress::ToString() const {
  return ListenAddress{true, host, port}.ToString();
}

ClusterFiles ResolveClusterFiles(const DaemonConfig& config) {
  std::filesystem::path dir = config.data_dir / "cluster";
  auto pick = [&](const std::filesystem::path& configured, const char* name) {
    return configured.empty() ? dir / name : configured;
  };
  return ClusterFiles{pick(config.cluster.ca_cert, transport::kCaCertFile),
                      pick(config.cluster.cert, transport::kNodeCertFile),
                      pick(config.cluster.key, transport::kNodeKeyFile),
                      pick(config.cluster.crl, "crl.pem"), !config.cluster.crl.empty()};
}

Result<uint64_t> ParseByteSize(std::string_view text) {
  uint64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end == text.data()) {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a size (e.g. 4096, \"64KiB\", \"8MiB\", \"1GiB\")");
  }
  std::string_view unit(end, text.data() + text.size() - end);
  uint64_t multiplier = 0;
  if (unit.empty() || unit == "B") multiplier = 1;
  else if (unit == "KiB" || unit == "K") multiplier = 1ull << 10;
  else if (unit == "MiB" || unit == "M") multiplier = 1ull << 20;
  else if (unit == "GiB" || unit == "G") multiplier = 1ull << 30;
  else {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' has an unknown unit (use B, KiB, MiB or GiB)");
  }
  if (number > (UINT64_MAX >> 30)) return Status::InvalidArgument("size '" + std::string(text) + "' is too large");
  return number * multiplier;
}

Status ValidateLogLevel(std::string_view level) {
  for (const char* known : {"trace", "debug", "info", "warning", "error"}) {
    if (level == known) return Status::Ok();
  }
  return Status::InvalidArgument("log level '" + std::string(level) +
                                 "' is not one of trace, debug, info, warning, error");
}

DaemonConfig DaemonConfig::Defaults(const ProcessEnvironment& env) {
  DaemonConfig config;
  config.node_name = HostName();
  config.data_dir = DefaultDataDir(env);
  return config;
}

Status DaemonConfig::Validate() const {
  if (node_name.empty() || node_name.size() > 253) {
    return Status::InvalidArgument("node name must be 1-253 bytes");
  }
  Status chunks = chunking.Validate();
  if (!chunks.ok()) return chunks.WithContext("chunking");
  if (block_cache_bytes < (1u << 20)) {
    return Status::InvalidArgument("storage.block_cache must be at least 1MiB");
  }
  if (write_buffer_bytes < (4u << 20)) {
    return Status::InvalidArgument("storage.write_buffer must be at least 4MiB");
  }
  if (!chunk_tier.empty() && chunk_tier.rfind("s3://", 0) != 0) {
    return Status::InvalidArgument("storage.chunk_tier must be an s3://bucket/prefix URL");
  }
  if (pack_bytes < (1u << 20) || pack_bytes > (uint64_t{1} << 30)) {
    return Status::InvalidArgument("storage.pack_size must be between 1MiB and 1GiB");
  }
  if (encryption && !chunk_tier.empty()) {
    return Status::InvalidArgument(
        "storage.encryption = \"on\" cannot be combined with storage.chunk_tier: the tier's packs would hold "
        "chunk bytes in plaintext");
  }
  if (encryption && encryption_key_file.empty()) {
    return Status::InvalidArgument(
        std::string("storage.encryption = \"on\" needs storage.encryption_key_file (or, under systemd, the "
                    "credential ") + kStoreKeyCredential + " from LoadCredentialEncrypted=)");
  }
  if (!encryption && !encryption_key_file.empty()) {
    return Status::InvalidArgument("storage.encryption_key_file is set but storage.encryption is off");
  }
  if (tier_checkpoint_ms < 1000) {
    return Status::InvalidArgument("storage.checkpoint_interval must be at least 1s");
  }
  EDGESYNC_RETURN_IF_ERROR(ValidateLogLevel(log_level));
  for (const std::string& glob : subscriptions) {
    if (glob.empty()) return Status::InvalidArgument("sync.subscriptions has an empty glob");
  }
  if (!control_socket.empty()) EDGESYNC_RETURN_IF_ERROR(CheckUnixSocketPath(control_socket));
  if (replication_window_bytes < chunking.max_size || replication_window_bytes > (24u << 20)) {
    return Status::InvalidArgument(
        "replication.window_bytes must be between chunking.max and 24MiB (below the 32MiB "
        "per-link bulk queue)");
  }
  if (!cluster.id.empty() && !transport::IsValidIdentityName(cluster.id)) {
    return Status::InvalidArgument("cluster.id '" + cluster.id +
                                   "' must be 1-64 characters of [A-Za-z0-9._-]");
  }
  if (insecure_plaintext_for_tests) {
    if (peer_listen.enabled && !IsLoopbackHost(peer_listen.host)) {
      return Status::InvalidArgument(
          "network.insecure_plaintext_for_tests allows only a loopback network.peer_listen");
    }
    for (const PeerAddress& peer : peers) {
      if (!IsLoopbackHost(peer.host)) {
        return Status::InvalidArgument("network.insecure_plaintext_for_tests allows only "
                                       "loopback peers, not " + peer.ToString());
      }
    }
  }
  if (cluster.join_listen.enabled && cluster.join_ca.empty()) {
    return Status::InvalidArgument("cluster.join_listen " + cluster.join_listen.ToString() +
                                   " needs cluster.join_ca, the CA directory that signs joins");
  }
  if (http_status.enabled && !IsLoopbackHost(http_status.host) && http_token.empty()) {
    return Status::InvalidArgument("network.http_status " + http_status.ToString() +
                                   " is not a loopback address: set network.http_token");
  }
  if (peer_listen.enabled && http_status.enabled && peer_listen.port != 0 &&
      peer_listen.host == http_status.host && peer_listen.port == http_status.port) {
    return Status::InvalidArgument("network.peer_listen and network.http_status are both " +
                                   peer_listen.ToString());
  }
  return Status::Ok();
}

Status ApplyConfigToml(std::string_view text, std::string_view source,
                       const std::filesystem::path& base_dir, DaemonConfig* config) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& err) {
    return Status::InvalidArgument(std::string(source) + ":" +
                                   std::to_string(err.source().begin.line) + ": " +
                                   std::string(err.description()));
  }
  for (const auto& [table_key, table_node] : root) {
    std::string table_name(table_key.str());
    TomlValue table_value{table_node, source, table_name, base_dir};
    if (table_name == "deploy") {
      // [[deploy]] replaces what the defaults or an earlier file declared.
      config->deploys.clear();
      EDGESYNC_RETURN_IF_ERROR(ReadDeployTables(table_node, source, base_dir, &config->deploys));
      continue;
    }
    if (!IsTableName(table_name)) {
      return Status::InvalidArgument(table_value.Where() + ": unknown key '" + table_name + "'");
    }
    const auto* table = table_node.as_table();
    if (!table) return table_value.MustBe("a table");
    for (const auto& [name, node] : *table) {
      std::string full_name = table_name + "." + std::string(name.str());
      const ConfigKey* key = FindConfigKey(full_name);
      TomlValue value{node, source, full_name, base_dir};
      if (!key) return Status::InvalidArgument(value.Where() + ": unknown key '" + full_name + "'");
      EDGESYNC_RETURN_IF_ERROR(key->type.read_toml(value, config));
    }
  }
  return Status::Ok();
}

Status ApplyConfigFile(const std::filesystem::path& file, DaemonConfig* config) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read config file " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  std::filesystem::path absolute = std::filesystem::absolute(file);
  return ApplyConfigToml(text.str(), file.string(), absolute.parent_path(), config);
}

Status ApplyOverrides(const ConfigOverrides& overrides, const std::filesystem::path& cwd,
                      DaemonConfig* config) {
  for (const auto& [name, values] : overrides) {
    const ConfigKey* key = FindConfigKey(name);
    if (!key || key->flag.empty()) return Status::InvalidArgument("no flag sets key '" + name + "'");
    std::string flag(key->flag);
    if (values.empty() && key->type.arity != FlagArity::kSwitch) {
      return Status::InvalidArgument(flag + " needs a value");
    }
    Status st = key->type.read_flag(values, cwd, config);
    if (!st.ok()) return st.WithContext(flag);
  }
  return Status::Ok();
}

Result<DaemonConfig> LoadDaemonConfig(const std::filesystem::path& config_file,
                                      const ConfigOverrides& overrides,
                                      const ProcessEnvironment& env) {
  DaemonConfig config = DaemonConfig::Defaults(env);
  std::filesystem::path file = config_file.empty() ? DefaultConfigFile(env) : config_file;
  if (!file.empty()) EDGESYNC_RETURN_IF_ERROR(ApplyConfigFile(file, &config));
  EDGESYNC_RETURN_IF_ERROR(ApplyOverrides(overrides, env.cwd, &config));
  if (config.control_socket.empty()) {
    config.control_socket = DefaultControlSocket(config.data_dir, env);
  }
  if (config.encryption && config.encryption_key_file.empty() && !env.credentials_directory.empty()) {
    config.encryption_key_file = std::filesystem::path(env.credentials_directory) / kStoreKeyCredential;
  }
  EDGESYNC_RETURN_IF_ERROR(config.Validate());
  return config;
}

}  // namespace edgesync

namespace edgesync {

std::vector<std::string> KeysNeedingRestart(const DaemonConfig& running, const DaemonConfig& reloaded) {
  std::vector<std::string> keys;
  for (const ConfigKey& key : ConfigKeys()) {
    if (key.on_sighup == OnSighup::kRestart && !key.type.same(running, reloaded)) {
      keys.emplace_back(key.name);
    }
  }
  return keys;
}

}  // namespace edgesync
