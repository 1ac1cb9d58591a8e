#include "syncd/daemon_config.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <sstream>
#include <toml++/toml.h>

#include "transport/identity.h"

namespace edgesync {
namespace {

std::string HostName() {
  std::array<char, 256> buf{};
  if (::gethostname(buf.data(), buf.size() - 1) != 0 || buf[0] == '\0') return "edgesync";
  return buf.data();
}

std::string Where(std::string_view source, const toml::node& node) {
  return std::string(source) + ":" + std::to_string(node.source().begin.line);
}

Status TypeError(std::string_view source, const toml::node& node, const std::string& key,
                 const char* expected) {
  return Status::InvalidArgument(Where(source, node) + ": key '" + key + "' must be " + expected);
}

Result<std::string> AsString(std::string_view source, const toml::node& node,
                             const std::string& key) {
  if (const auto* s = node.as_string()) return s->get();
  return TypeError(source, node, key, "a string");
}

// A byte size given as an integer or as a string with a unit.
Result<uint64_t> AsByteSize(std::string_view source, const toml::node& node,
                            const std::string& key) {
  if (const auto* i = node.as_integer()) {
    if (i->get() < 0) return TypeError(source, node, key, "a non-negative size");
    return static_cast<uint64_t>(i->get());
  }
  if (const auto* s = node.as_string()) {
    Result<uint64_t> size = ParseByteSize(s->get());
    if (!size.ok()) return Status::InvalidArgument(Where(source, node) + ": key '" + key + "': " +
                                                   size.status().message());
    return size;
  }
  return TypeError(source, node, key, "a size (integer bytes or a string like \"64KiB\")");
}

Status ValidateLabel(const std::string& key, const std::string& value) {
  auto key_char_ok = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '/';
  };
  if (key.empty() || key.size() > 63 ||
      !std::all_of(key.begin(), key.end(), key_char_ok)) {
    return Status::InvalidArgument("label key '" + key +
                                   "' must be 1-63 characters of [A-Za-z0-9._/-]");
  }
  if (value.size() > 253 || std::any_of(value.begin(), value.end(), [](char c) {
        return std::iscntrl(static_cast<unsigned char>(c)) || c == '=' || c == ',';
      })) {
    return Status::InvalidArgument("label '" + key +
                                   "' has a value longer than 253 bytes or with '=', ',' or "
                                   "control characters");
  }
  return Status::Ok();
}

Result<ListenAddress> ParseListen(std::string_view source, const toml::node& node,
                                  const std::string& key) {
  Result<std::string> text = AsString(source, node, key);
  if (!text.ok()) return text.status();
  Result<ListenAddress> address = ListenAddress::Parse(*text);
  if (!address.ok()) {
    return Status::InvalidArgument(Where(source, node) + ": key '" + key + "': " +
                                   address.status().message());
  }
  return address;
}

Result<std::vector<std::string>> AsStringArray(std::string_view source, const toml::node& node,
                                               const std::string& key) {
  const auto* array = node.as_array();
  if (!array) return TypeError(source, node, key, "an array of strings");
  std::vector<std::string> values;
  for (const auto& element : *array) {
    Result<std::string> value = AsString(source, element, key);
    if (!value.ok()) return value.status();
    values.push_back(*value);
  }
  return values;
}

Result<std::vector<PeerAddress>> ParsePeers(const std::vector<std::string>& texts) {
  std::vector<PeerAddress> peers;
  for (const std::string& text : texts) {
    Result<PeerAddress> peer = PeerAddress::Parse(text);
    if (!peer.ok()) return peer.status();
    peers.push_back(*peer);
  }
  return peers;
}

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::filesystem::path Absolute(const std::filesystem::path& base, const std::string& text) {
  std::filesystem::path p(text);
  return (p.is_absolute() ? p : base / p).lexically_normal();
}

// One key of the file: how to apply its value. Keys are "table.key".
using KeyApplier = std::function<Status(const toml::node&, DaemonConfig*)>;

std::map<std::string, KeyApplier> KeyAppliers(std::string_view source,
                                              const std::filesystem::path& base_dir) {
  std::string src(source);
  auto string_key = [src](std::string key, std::string DaemonConfig::*member,
                          std::function<Status(const std::string&)> check = nullptr) {
    return KeyApplier([=](const toml::node& node, DaemonConfig* config) -> Status {
      Result<std::string> value = AsString(src, node, key);
      if (!value.ok()) return value.status();
      if (check) {
        Status st = check(*value);
        if (!st.ok()) return Status::InvalidArgument(Where(src, node) + ": key '" + key + "': " +
                                                     st.message());
      }
      config->*member = *value;
      return Status::Ok();
    });
  };
  auto size_key = [src](std::string key, std::function<void(DaemonConfig*, uint64_t)> set) {
    return KeyApplier([=](const toml::node& node, DaemonConfig* config) -> Status {
      Result<uint64_t> value = AsByteSize(src, node, key);
      if (!value.ok()) return value.status();
      set(config, *value);
      return Status::Ok();
    });
  };
  auto path_key = [src, base_dir](std::string key,
                                  std::filesystem::path DaemonConfig::*member) {
    return KeyApplier([=](const toml::node& node, DaemonConfig* config) -> Status {
      Result<std::string> value = AsString(src, node, key);
      if (!value.ok()) return value.status();
      if (value->empty()) return Status::Ok();  // empty keeps the automatic default
      config->*member = Absolute(base_dir, *value);
      return Status::Ok();
    });
  };
  auto listen_key = [src](std::string key, ListenAddress DaemonConfig::*member) {
    return KeyApplier([=](const toml::node& node, DaemonConfig* config) -> Status {
      Result<ListenAddress> value = ParseListen(src, node, key);
      if (!value.ok()) return value.status();
      config->*member = *value;
      return Status::Ok();
    });
  };

  auto cluster_path_key = [src, base_dir](std::string key,
                                          std::filesystem::path ClusterConfig::*member) {
    return KeyApplier([=](const toml::node& node, DaemonConfig* config) -> Status {
      Result<std::string> value = AsString(src, node, key);
      if (!value.ok()) return value.status();
      if (value->empty()) return Status::Ok();  // empty keeps the default under <data>/cluster
      config->cluster.*member = Absolute(base_dir, *value);
      return Status::Ok();
    });
  };

  std::map<std::string, KeyApplier> appliers;
  appliers["node.name"] = string_key("node.name", &DaemonConfig::node_name);
  appliers["node.labels"] = [src](const toml::node& node, DaemonConfig* config) -> Status {
    const auto* table = node.as_table();
    if (!table) return TypeError(src, node, "node.labels", "a table of strings");
    std::map<std::string, std::string> labels;
    for (const auto& [k, v] : *table) {
      std::string key(k.str());
      Result<std::string> value = AsString(src, v, "node.labels." + key);
      if (!value.ok()) return value.status();
      Status st = ValidateLabel(key, *value);
      if (!st.ok()) return Status::InvalidArgument(Where(src, v) + ": " + st.message());
      labels[key] = *value;
    }
    config->labels = std::move(labels);
    return Status::Ok();
  };
  appliers["storage.data_dir"] = path_key("storage.data_dir", &DaemonConfig::data_dir);
  appliers["storage.block_cache"] =
      size_key("storage.block_cache", [](DaemonConfig* c, uint64_t v) { c->block_cache_bytes = v; });
  appliers["storage.write_buffer"] = size_key(
      "storage.write_buffer", [](DaemonConfig* c, uint64_t v) { c->write_buffer_bytes = v; });
  appliers["chunking.min"] =
      size_key("chunking.min", [](DaemonConfig* c, uint64_t v) { c->chunking.min_size = v; });
  appliers["chunking.avg"] =
      size_key("chunking.avg", [](DaemonConfig* c, uint64_t v) { c->chunking.avg_size = v; });
  appliers["chunking.max"] =
      size_key("chunking.max", [](DaemonConfig* c, uint64_t v) { c->chunking.max_size = v; });
  appliers["control.socket"] = path_key("control.socket", &DaemonConfig::control_socket);
  appliers["control.group"] = string_key("control.group", &DaemonConfig::socket_group);
  appliers["network.peer_listen"] = listen_key("network.peer_listen", &DaemonConfig::peer_listen);
  appliers["network.http_status"] = listen_key("network.http_status", &DaemonConfig::http_status);
  appliers["network.http_token"] = string_key("network.http_token", &DaemonConfig::http_token);
  appliers["network.http_allowed_origins"] = [src](const toml::node& node,
                                                   DaemonConfig* config) -> Status {
    Result<std::vector<std::string>> origins = AsStringArray(src, node, "network.http_allowed_origins");
    if (!origins.ok()) return origins.status();
    for (const std::string& origin : *origins) {
      if (origin.rfind("http://", 0) != 0 && origin.rfind("https://", 0) != 0) {
        return Status::InvalidArgument(Where(src, node) + ": key 'network.http_allowed_origins': '" +
                                       origin + "' is not an http:// or https:// origin");
      }
    }
    config->http_allowed_origins = std::move(*origins);
    return Status::Ok();
  };
  appliers["network.peers"] = [src](const toml::node& node, DaemonConfig* config) -> Status {
    Result<std::vector<std::string>> texts = AsStringArray(src, node, "network.peers");
    if (!texts.ok()) return texts.status();
    Result<std::vector<PeerAddress>> peers = ParsePeers(*texts);
    if (!peers.ok()) {
      return Status::InvalidArgument(Where(src, node) + ": key 'network.peers': " +
                                     peers.status().message());
    }
    config->peers = std::move(*peers);
    return Status::Ok();
  };
  appliers["network.insecure_plaintext_for_tests"] = [src](const toml::node& node,
                                                           DaemonConfig* config) -> Status {
    const auto* flag = node.as_boolean();
    if (!flag) return TypeError(src, node, "network.insecure_plaintext_for_tests", "a boolean");
    config->insecure_plaintext_for_tests = flag->get();
    return Status::Ok();
  };
  appliers["cluster.ca_cert"] = cluster_path_key("cluster.ca_cert", &ClusterConfig::ca_cert);
  appliers["cluster.cert"] = cluster_path_key("cluster.cert", &ClusterConfig::cert);
  appliers["cluster.key"] = cluster_path_key("cluster.key", &ClusterConfig::key);
  appliers["cluster.crl"] = cluster_path_key("cluster.crl", &ClusterConfig::crl);
  appliers["cluster.id"] = [src](const toml::node& node, DaemonConfig* config) -> Status {
    Result<std::string> value = AsString(src, node, "cluster.id");
    if (!value.ok()) return value.status();
    config->cluster.id = *value;
    return Status::Ok();
  };
  appliers["replication.window_bytes"] = size_key(
      "replication.window_bytes",
      [](DaemonConfig* c, uint64_t v) { c->replication_window_bytes = v; });
  appliers["sync.max_offline"] = [src](const toml::node& node, DaemonConfig* config) -> Status {
    Result<std::string> text = AsString(src, node, "sync.max_offline");
    if (!text.ok()) return text.status();
    Result<uint64_t> ms = ParseDurationMs(*text);
    if (!ms.ok())
      return Status::InvalidArgument(Where(src, node) + ": key 'sync.max_offline': " + ms.status().message());
    config->max_offline_ms = *ms;
    return Status::Ok();
  };
  appliers["checkout.grace_period"] = [src](const toml::node& node, DaemonConfig* config) -> Status {
    Result<std::string> text = AsString(src, node, "checkout.grace_period");
    if (!text.ok()) return text.status();
    Result<uint64_t> ms = ParseDurationMs(*text);
    if (!ms.ok()) {
      return Status::InvalidArgument(Where(src, node) + ": key 'checkout.grace_period': " +
                                     ms.status().message());
    }
    config->checkout_grace_ms = *ms;
    return Status::Ok();
  };
  appliers["checkout.max_old_versions"] = [src](const toml::node& node,
                                                DaemonConfig* config) -> Status {
    const auto* count = node.as_integer();
    if (!count || count->get() < 1 || count->get() > 1000) {
      return TypeError(src, node, "checkout.max_old_versions", "an integer from 1 to 1000");
    }
    config->checkout_max_old_versions = static_cast<uint64_t>(count->get());
    return Status::Ok();
  };
  appliers["log.level"] = string_key("log.level", &DaemonConfig::log_level,
                                     [](const std::string& v) { return ValidateLogLevel(v); });
  appliers["history.git_mirror"] = path_key("history.git_mirror", &DaemonConfig::history_git_mirror);
  appliers["sync.subscriptions"] = [src](const toml::node& node, DaemonConfig* config) -> Status {
    Result<std::vector<std::string>> globs = AsStringArray(src, node, "sync.subscriptions");
    if (!globs.ok()) return globs.status();
    config->subscriptions = std::move(*globs);
    return Status::Ok();
  };
  return appliers;
}

bool IsTableName(const std::map<std::string, KeyApplier>& appliers, const std::string& name) {
  std::string prefix = name + ".";
  for (const auto& [key, applier] : appliers) {
    if (key.compare(0, prefix.size(), prefix) == 0) return true;
  }
  return false;
}

Status ParseLabelAssignment(const std::string& text, DaemonConfig* config) {
  size_t eq = text.find('=');
  if (eq == std::string::npos) {
    return Status::InvalidArgument("label '" + text + "' must be key=value");
  }
  std::string key = text.substr(0, eq), value = text.substr(eq + 1);
  EDGESYNC_RETURN_IF_ERROR(ValidateLabel(key, value));
  config->labels[key] = value;
  return Status::Ok();
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

Result<uint64_t> ParseDurationMs(std::string_view text) {
  uint64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end == text.data())
    return Status::InvalidArgument("'" + std::string(text) + "' is not a duration (e.g. \"90s\", \"12h\", \"30d\")");
  std::string_view unit(end, text.data() + text.size() - end);
  uint64_t seconds = 0;
  if (unit.empty() || unit == "s") seconds = 1;
  else if (unit == "m") seconds = 60;
  else if (unit == "h") seconds = 3600;
  else if (unit == "d") seconds = 86400;
  else return Status::InvalidArgument("'" + std::string(text) + "' has an unknown unit (use s, m, h or d)");
  if (number == 0 || number > 100ull * 365 * 86400 / seconds)
    return Status::InvalidArgument("duration '" + std::string(text) + "' must be between 1s and 100 years");
  return number * seconds * 1000;
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
  std::map<std::string, KeyApplier> appliers = KeyAppliers(source, base_dir);
  for (const auto& [table_key, table_node] : root) {
    std::string table_name(table_key.str());
    const auto* table = table_node.as_table();
    if (!IsTableName(appliers, table_name)) {
      return Status::InvalidArgument(Where(source, table_node) + ": unknown key '" + table_name +
                                     "'");
    }
    if (!table) return TypeError(source, table_node, table_name, "a table");
    for (const auto& [key, node] : *table) {
      std::string full = table_name + "." + std::string(key.str());
      auto it = appliers.find(full);
      if (it == appliers.end()) {
        return Status::InvalidArgument(Where(source, node) + ": unknown key '" + full + "'");
      }
      EDGESYNC_RETURN_IF_ERROR(it->second(node, config));
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

Status ApplyOverrides(const ConfigOverrides& o, const std::filesystem::path& cwd,
                      DaemonConfig* config) {
  auto size_flag = [](const std::optional<std::string>& text, const char* flag,
                      auto&& set) -> Status {
    if (!text) return Status::Ok();
    Result<uint64_t> size = ParseByteSize(*text);
    if (!size.ok()) return size.status().WithContext(flag);
    set(*size);
    return Status::Ok();
  };
  auto listen_flag = [](const std::optional<std::string>& text, const char* flag,
                        ListenAddress* out) -> Status {
    if (!text) return Status::Ok();
    Result<ListenAddress> address = ListenAddress::Parse(*text);
    if (!address.ok()) return address.status().WithContext(flag);
    *out = *address;
    return Status::Ok();
  };
  if (o.node_name) config->node_name = *o.node_name;
  for (const std::string& label : o.labels) {
    Status st = ParseLabelAssignment(label, config);
    if (!st.ok()) return st.WithContext("--label");
  }
  if (o.data_dir) config->data_dir = (cwd / *o.data_dir).lexically_normal();
  if (o.control_socket) config->control_socket = (cwd / *o.control_socket).lexically_normal();
  if (o.socket_group) config->socket_group = *o.socket_group;
  EDGESYNC_RETURN_IF_ERROR(listen_flag(o.peer_listen, "--peer-listen", &config->peer_listen));
  EDGESYNC_RETURN_IF_ERROR(listen_flag(o.http_status, "--http-status", &config->http_status));
  if (o.log_level) {
    Status st = ValidateLogLevel(*o.log_level);
    if (!st.ok()) return st.WithContext("--log-level");
    config->log_level = *o.log_level;
  }
  EDGESYNC_RETURN_IF_ERROR(size_flag(o.chunk_min, "--chunk-min",
                                     [&](uint64_t v) { config->chunking.min_size = v; }));
  EDGESYNC_RETURN_IF_ERROR(size_flag(o.chunk_avg, "--chunk-avg",
                                     [&](uint64_t v) { config->chunking.avg_size = v; }));
  EDGESYNC_RETURN_IF_ERROR(size_flag(o.chunk_max, "--chunk-max",
                                     [&](uint64_t v) { config->chunking.max_size = v; }));
  EDGESYNC_RETURN_IF_ERROR(size_flag(o.block_cache, "--block-cache",
                                     [&](uint64_t v) { config->block_cache_bytes = v; }));
  EDGESYNC_RETURN_IF_ERROR(size_flag(o.write_buffer, "--write-buffer",
                                     [&](uint64_t v) { config->write_buffer_bytes = v; }));
  if (!o.subscriptions.empty()) config->subscriptions = o.subscriptions;
  if (!o.peers.empty()) {
    Result<std::vector<PeerAddress>> peers = ParsePeers(o.peers);
    if (!peers.ok()) return peers.status().WithContext("--peer");
    config->peers = std::move(*peers);
  }
  auto path_flag = [&cwd](const std::optional<std::filesystem::path>& flag,
                          std::filesystem::path* out) {
    if (flag) *out = (cwd / *flag).lexically_normal();
  };
  path_flag(o.ca_cert, &config->cluster.ca_cert);
  path_flag(o.cert, &config->cluster.cert);
  path_flag(o.key, &config->cluster.key);
  path_flag(o.crl, &config->cluster.crl);
  if (o.cluster_id) config->cluster.id = *o.cluster_id;
  EDGESYNC_RETURN_IF_ERROR(size_flag(o.window_bytes, "--window-bytes",
                                     [&](uint64_t v) { config->replication_window_bytes = v; }));
  if (o.max_offline) {
    Result<uint64_t> ms = ParseDurationMs(*o.max_offline);
    if (!ms.ok()) return ms.status().WithContext("--max-offline");
    config->max_offline_ms = *ms;
  }
  if (o.insecure_plaintext_for_tests) config->insecure_plaintext_for_tests = true;
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
  EDGESYNC_RETURN_IF_ERROR(config.Validate());
  return config;
}

}  // namespace edgesync

namespace edgesync {

std::vector<std::string> KeysNeedingRestart(const DaemonConfig& a, const DaemonConfig& b) {
  std::vector<std::string> keys;
  auto check = [&](bool differs, const char* key) {
    if (differs) keys.push_back(key);
  };
  check(a.node_name != b.node_name, "node.name");
  check(a.data_dir != b.data_dir, "storage.data_dir");
  check(a.block_cache_bytes != b.block_cache_bytes, "storage.block_cache");
  check(a.write_buffer_bytes != b.write_buffer_bytes, "storage.write_buffer");
  check(a.chunking.min_size != b.chunking.min_size, "chunking.min");
  check(a.chunking.avg_size != b.chunking.avg_size, "chunking.avg");
  check(a.chunking.max_size != b.chunking.max_size, "chunking.max");
  check(a.control_socket != b.control_socket, "control.socket");
  check(a.socket_group != b.socket_group, "control.group");
  check(a.peer_listen.ToString() != b.peer_listen.ToString(), "network.peer_listen");
  check(a.http_status.ToString() != b.http_status.ToString(), "network.http_status");
  check(a.http_token != b.http_token, "network.http_token");
  check(a.http_allowed_origins != b.http_allowed_origins, "network.http_allowed_origins");
  auto peers = [](const DaemonConfig& c) {
    std::string all;
    for (const PeerAddress& peer : c.peers) all += peer.ToString() + ",";
    return all;
  };
  check(peers(a) != peers(b), "network.peers");
  check(a.insecure_plaintext_for_tests != b.insecure_plaintext_for_tests,
        "network.insecure_plaintext_for_tests");
  check(a.cluster.ca_cert != b.cluster.ca_cert, "cluster.ca_cert");
  check(a.cluster.cert != b.cluster.cert, "cluster.cert");
  check(a.cluster.key != b.cluster.key, "cluster.key");
  check(a.cluster.crl != b.cluster.crl, "cluster.crl");
  check(a.cluster.id != b.cluster.id, "cluster.id");
  check(a.replication_window_bytes != b.replication_window_bytes, "replication.window_bytes");
  check(a.max_offline_ms != b.max_offline_ms, "sync.max_offline");
  check(a.history_git_mirror != b.history_git_mirror, "history.git_mirror");
  check(a.checkout_grace_ms != b.checkout_grace_ms, "checkout.grace_period");
  check(a.checkout_max_old_versions != b.checkout_max_old_versions, "checkout.max_old_versions");
  return keys;
}

}  // namespace edgesync
