#include "syncd/config_keys.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <type_traits>
#include <utility>

#include "syncd/bandwidth_tables.h"
#include "syncd/daemon_config.h"

namespace edgesync {
namespace {

namespace fs = std::filesystem;
using FlagValues = std::vector<std::string>;

// Names a member of a member (config.chunking.min_size) where a member pointer names a member.
template <typename Group, typename T>
auto Nested(Group DaemonConfig::*group, T Group::*member) {
  return [=](auto& config) -> auto& { return (config.*group).*member; };
}

// The T of the Result<T> that `parse` returns.
template <typename Parse>
using Parsed = std::remove_cvref_t<decltype(std::declval<Parse>()(std::string_view()).value())>;

// Stores a parsed value in its member, or passes the parse error on.
template <typename Field, typename T>
Status Store(Field field, Result<T> value, DaemonConfig* config) {
  if (!value.ok()) return value.status();
  std::invoke(field, *config) = std::move(*value);
  return Status::Ok();
}

// What the restart check compares: addresses as they print, so a disabled one is "off" whatever
// host it holds.
template <typename T>
const T& Comparable(const T& value) {
  return value;
}
std::string Comparable(const ListenAddress& address) { return address.ToString(); }
std::vector<std::string> Comparable(const std::vector<PeerAddress>& peers) {
  std::vector<std::string> texts;
  for (const PeerAddress& peer : peers) texts.push_back(peer.ToString());
  return texts;
}

template <typename Field>
auto Same(Field field) {
  return [field](const DaemonConfig& a, const DaemonConfig& b) {
    return Comparable(std::invoke(field, a)) == Comparable(std::invoke(field, b));
  };
}

Result<std::string> AnyString(std::string_view text) { return std::string(text); }

Result<std::string> LogLevel(std::string_view text) {
  EDGESYNC_RETURN_IF_ERROR(ValidateLogLevel(text));
  return std::string(text);
}

Result<bool> OnOff(std::string_view text) {
  if (text == "on") return true;
  if (text == "off") return false;
  return Status::InvalidArgument("'" + std::string(text) + "' is not on or off");
}

Result<std::string> S3Addressing(std::string_view text) {
  if (text != "path" && text != "virtual") {
    return Status::InvalidArgument("'" + std::string(text) + "' is not path or virtual");
  }
  return std::string(text);
}

Result<std::string> HttpOrigin(std::string_view text) {
  if (!text.starts_with("http://") && !text.starts_with("https://")) {
    return Status::InvalidArgument("'" + std::string(text) + "' is not an http:// or https:// origin");
  }
  return std::string(text);
}

Status ValidateLabel(const std::string& key, const std::string& value) {
  auto key_char_ok = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
  };
  if (key.empty() || key.size() > 63 || !std::all_of(key.begin(), key.end(), key_char_ok)) {
    return Status::InvalidArgument("label key '" + key + "' must be 1-63 characters of [A-Za-z0-9._/-]");
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

// "key=value" from --label, added to (or replacing one of) the labels.
Status AddLabel(const std::string& text, std::map<std::string, std::string>* labels) {
  size_t eq = text.find('=');
  if (eq == std::string::npos) return Status::InvalidArgument("label '" + text + "' must be key=value");
  std::string key = text.substr(0, eq), value = text.substr(eq + 1);
  EDGESYNC_RETURN_IF_ERROR(ValidateLabel(key, value));
  (*labels)[key] = value;
  return Status::Ok();
}

Result<std::string> AsString(const TomlValue& v) {
  if (const auto* s = v.node.as_string()) return s->get();
  return v.MustBe("a string");
}

// A string in the file read by `parse`; its errors name the key.
template <typename Parse>
Result<Parsed<Parse>> ParseString(const TomlValue& v, Parse parse) {
  Result<std::string> text = AsString(v);
  if (!text.ok()) return text.status();
  Result<Parsed<Parse>> value = parse(*text);
  if (!value.ok()) return v.Invalid(value.status());
  return value;
}

// A byte size in the file: an integer, or a string with a unit.
Result<uint64_t> AsByteSize(const TomlValue& v) {
  if (const auto* i = v.node.as_integer()) {
    if (i->get() < 0) return v.MustBe("a non-negative size");
    return static_cast<uint64_t>(i->get());
  }
  if (v.node.is_string()) return ParseString(v, ParseByteSize);
  return v.MustBe("a size (integer bytes or a string like \"64KiB\")");
}

template <typename Parse>
Result<std::vector<Parsed<Parse>>> ParseEach(const std::vector<std::string>& texts, Parse parse) {
  std::vector<Parsed<Parse>> values;
  for (const std::string& text : texts) {
    Result<Parsed<Parse>> value = parse(text);
    if (!value.ok()) return value.status();
    values.push_back(std::move(*value));
  }
  return values;
}

// The key types. Each reads a value from the file and from its flag into one member.

// A string in the file and a flag's text, both read by `parse`.
template <typename Field, typename Parse>
KeyType Text(Field field, Parse parse) {
  return {FlagArity::kOne,
          [=](const TomlValue& v, DaemonConfig* c) { return Store(field, ParseString(v, parse), c); },
          [=](const FlagValues& values, const fs::path&, DaemonConfig* c) {
            return Store(field, parse(values.back()), c);
          },
          Same(field)};
}

template <typename Field>
KeyType String(Field field) {
  return Text(field, AnyString);
}

template <typename Field>
KeyType ByteSize(Field field) {
  return {FlagArity::kOne,
          [=](const TomlValue& v, DaemonConfig* c) { return Store(field, AsByteSize(v), c); },
          [=](const FlagValues& values, const fs::path&, DaemonConfig* c) {
            return Store(field, ParseByteSize(values.back()), c);
          },
          Same(field)};
}

// Relative to the file's directory, or for a flag to the working directory. An empty string in
// the file keeps the automatic default (e.g. the one under <data_dir>/cluster).
template <typename Field>
KeyType Path(Field field) {
  return {FlagArity::kOne,
          [=](const TomlValue& v, DaemonConfig* c) -> Status {
            Result<std::string> text = AsString(v);
            if (!text.ok()) return text.status();
            if (!text->empty()) std::invoke(field, *c) = (v.base_dir / *text).lexically_normal();
            return Status::Ok();
          },
          [=](const FlagValues& values, const fs::path& cwd, DaemonConfig* c) {
            std::invoke(field, *c) = (cwd / values.back()).lexically_normal();
            return Status::Ok();
          },
          Same(field)};
}

// A boolean in the file; the flag only turns it on.
template <typename Field>
KeyType Switch(Field field) {
  return {FlagArity::kSwitch,
          [=](const TomlValue& v, DaemonConfig* c) -> Status {
            const auto* flag = v.node.as_boolean();
            if (!flag) return v.MustBe("a boolean");
            std::invoke(field, *c) = flag->get();
            return Status::Ok();
          },
          [=](const FlagValues&, const fs::path&, DaemonConfig* c) {
            std::invoke(field, *c) = true;
            return Status::Ok();
          },
          Same(field)};
}

// An integer from `min` to `max`.
template <typename Field>
KeyType Count(Field field, int64_t min, int64_t max) {
  std::string expected = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  return {FlagArity::kOne,
          [=](const TomlValue& v, DaemonConfig* c) -> Status {
            const auto* count = v.node.as_integer();
            if (!count || count->get() < min || count->get() > max) return v.MustBe(expected);
            std::invoke(field, *c) = static_cast<uint64_t>(count->get());
            return Status::Ok();
          },
          [=](const FlagValues& values, const fs::path&, DaemonConfig* c) -> Status {
            const std::string& text = values.back();
            int64_t count = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
            if (text.empty() || ec != std::errc() || end != text.data() + text.size() || count < min || count > max)
              return Status::InvalidArgument("must be " + expected + ", not '" + text + "'");
            std::invoke(field, *c) = static_cast<uint64_t>(count);
            return Status::Ok();
          },
          Same(field)};
}

// An array of strings in the file, a repeatable flag; each value read by `parse`. Replaces the
// default list.
template <typename Field, typename Parse>
KeyType List(Field field, Parse parse) {
  return {FlagArity::kRepeated,
          [=](const TomlValue& v, DaemonConfig* c) -> Status {
            const auto* array = v.node.as_array();
            if (!array) return v.MustBe("an array of strings");
            std::vector<std::string> texts;
            for (const toml::node& element : *array) {
              Result<std::string> text = AsString({element, v.source, v.key, v.base_dir});
              if (!text.ok()) return text.status();
              texts.push_back(std::move(*text));
            }
            auto values = ParseEach(texts, parse);
            if (!values.ok()) return v.Invalid(values.status());
            std::invoke(field, *c) = std::move(*values);
            return Status::Ok();
          },
          [=](const FlagValues& values, const fs::path&, DaemonConfig* c) {
            return Store(field, ParseEach(values, parse), c);
          },
          Same(field)};
}

// A table of strings in the file, replacing the labels; each --label key=value adds one.
template <typename Field>
KeyType Labels(Field field) {
  return {FlagArity::kRepeated,
          [=](const TomlValue& v, DaemonConfig* c) -> Status {
            const auto* table = v.node.as_table();
            if (!table) return v.MustBe("a table of strings");
            std::map<std::string, std::string> labels;
            for (const auto& [k, node] : *table) {
              std::string key(k.str()), full_key = std::string(v.key) + "." + key;
              TomlValue label{node, v.source, full_key, v.base_dir};
              Result<std::string> value = AsString(label);
              if (!value.ok()) return value.status();
              Status st = ValidateLabel(key, *value);
              if (!st.ok()) return Status::InvalidArgument(label.Where() + ": " + st.message());
              labels[key] = *value;
            }
            std::invoke(field, *c) = std::move(labels);
            return Status::Ok();
          },
          [=](const FlagValues& values, const fs::path&, DaemonConfig* c) -> Status {
            for (const std::string& text : values) {
              EDGESYNC_RETURN_IF_ERROR(AddLabel(text, &std::invoke(field, *c)));
            }
            return Status::Ok();
          },
          Same(field)};
}

// An array of tables in the file, read by `read`; no flag sets it.
template <typename Field, typename Read>
KeyType Tables(Field field, Read read) {
  return {FlagArity::kOne,
          [=](const TomlValue& v, DaemonConfig* c) { return read(v, &std::invoke(field, *c)); },
          nullptr, Same(field)};
}

// A size in bytes (an integer, or a string with a unit) or a percent ("15%").
template <typename Field>
KeyType DiskSizeOrPercent(Field field) {
  return {FlagArity::kOne,
          [=](const TomlValue& v, DaemonConfig* c) -> Status {
            if (const auto* i = v.node.as_integer()) {
              if (i->get() < 0) return v.MustBe("a non-negative size or a percent");
              std::invoke(field, *c) = DiskSize{static_cast<uint64_t>(i->get()), 0};
              return Status::Ok();
            }
            return Store(field, ParseString(v, ParseDiskSize), c);
          },
          [=](const FlagValues& values, const fs::path&, DaemonConfig* c) {
            return Store(field, ParseDiskSize(values.back()), c);
          },
          Same(field)};
}

// [[storage.retention]] tables in the file; no flag.
template <typename Field>
KeyType RetentionTables(Field field) {
  return {FlagArity::kOne,
          [=](const TomlValue& v, DaemonConfig* c) {
            return ReadRetentionTables(v.node, v.source, &std::invoke(field, *c));
          },
          nullptr, Same(field)};
}

constexpr OnSighup kRestart = OnSighup::kRestart;
constexpr OnSighup kReloaded = OnSighup::kReloaded;

const std::vector<ConfigKey>& Table() {
  using C = DaemonConfig;
  static const std::vector<ConfigKey> keys = {
      {"node.name", "--node-name", "human name of this node", kRestart, String(&C::node_name)},
      {"node.labels", "--label", "key=value, repeatable (role=edge, site=hall-3)", kReloaded,
       Labels(&C::labels)},
      {"storage.data_dir", "--data-dir", "where the store lives", kRestart, Path(&C::data_dir)},
      {"storage.block_cache", "--block-cache", "e.g. 8MiB", kRestart, ByteSize(&C::block_cache_bytes)},
      {"storage.write_buffer", "--write-buffer", "e.g. 32MiB", kRestart, ByteSize(&C::write_buffer_bytes)},
      {"storage.chunk_tier", "--chunk-tier", "s3://bucket/prefix holding chunk packs", kRestart,
       String(&C::chunk_tier)},
      {"storage.chunk_cache", "--chunk-cache", "local cache of tier packs, e.g. 2GiB", kRestart,
       ByteSize(&C::chunk_cache_bytes)},
      {"storage.pack_size", "", "", kRestart, ByteSize(&C::pack_bytes)},
      {"storage.keep_versions", "--keep-versions", "versions kept per key (default 10)", kReloaded,
       Count(&C::keep_versions, 1, kMaxKeepVersions)},
      {"storage.keep_for", "--keep-for", "age after which versions are dropped, e.g. 30d (default off)", kReloaded,
       Text(&C::keep_for_ms, ParseKeepFor)},
      {"storage.retention", "", "", kReloaded, RetentionTables(&C::retention_overrides)},
      {"storage.max_bytes", "--max-bytes", "disk quota for chunk bytes, e.g. 300MiB or 20% (default off)", kReloaded,
       DiskSizeOrPercent(&C::max_bytes)},
      {"storage.min_free", "--min-free", "free space the filesystem keeps, e.g. 2GiB or 5% (default off)", kReloaded,
       DiskSizeOrPercent(&C::min_free)},
      {"storage.checkpoint_interval", "", "", kRestart, Text(&C::tier_checkpoint_ms, ParseDurationMs)},
      {"storage.encryption", "--encryption", "on or off: the store encrypted at rest (default off)", kRestart,
       Text(&C::encryption, OnOff)},
      {"storage.encryption_key_file", "--encryption-key-file",
       "the store's 32-byte key (default: the systemd credential edgesync-store-key)", kRestart,
       Path(&C::encryption_key_file)},
      {"chunking.min", "--chunk-min", "e.g. 16KiB", kRestart,
       ByteSize(Nested(&C::chunking, &ChunkerParams::min_size))},
      {"chunking.avg", "--chunk-avg", "e.g. 64KiB (a power of two)", kRestart,
       ByteSize(Nested(&C::chunking, &ChunkerParams::avg_size))},
      {"chunking.max", "--chunk-max", "e.g. 256KiB", kRestart,
       ByteSize(Nested(&C::chunking, &ChunkerParams::max_size))},
      {"control.socket", "--control-socket", "unix socket path", kRestart, Path(&C::control_socket)},
      {"control.group", "--socket-group", "group owning the control socket", kRestart,
       String(&C::socket_group)},
      {"network.peer_listen", "--peer-listen", "host:port or off", kRestart,
       Text(&C::peer_listen, ListenAddress::Parse)},
      {"network.http_status", "--http-status", "host:port or off", kRestart,
       Text(&C::http_status, ListenAddress::Parse)},
      {"network.http_token", "", "", kRestart, String(&C::http_token)},
      {"network.http_allowed_origins", "", "", kRestart, List(&C::http_allowed_origins, HttpOrigin)},
      {"network.peers", "--peer", "host:port to dial, repeatable", kRestart,
       List(&C::peers, PeerAddress::Parse)},
      {"network.max_peers", "--max-peers", "peers' peers at the same site to dial (0: none)", kRestart,
       Count(&C::max_peers, 0, 64)},
      {"network.max_send_rate", "--max-send-rate", "bulk data sent, e.g. 2MiB/s, 20Mbit/s, unlimited",
       kReloaded, Text(Nested(&C::bandwidth, &limits::BandwidthConfig::max_send), limits::ParseRate)},
      {"network.max_recv_rate", "--max-recv-rate", "bulk data received, e.g. 2MiB/s, unlimited", kReloaded,
       Text(Nested(&C::bandwidth, &limits::BandwidthConfig::max_recv), limits::ParseRate)},
      {"network.peer_rates", "", "", kReloaded,
       Tables(Nested(&C::bandwidth, &limits::BandwidthConfig::peers), ReadPeerRates)},
      {"network.rate_schedule", "", "", kReloaded,
       Tables(Nested(&C::bandwidth, &limits::BandwidthConfig::schedule), ReadRateSchedule)},
      {"network.insecure_plaintext_for_tests", "--insecure-plaintext-for-tests",
       "TEST ONLY, no TLS, loopback only", kRestart, Switch(&C::insecure_plaintext_for_tests)},
      {"cluster.ca_cert", "--cluster-ca-cert", "default <data>/cluster/ca.crt", kRestart,
       Path(Nested(&C::cluster, &ClusterConfig::ca_cert))},
      {"cluster.cert", "--cluster-cert", "default <data>/cluster/node.crt", kRestart,
       Path(Nested(&C::cluster, &ClusterConfig::cert))},
      {"cluster.key", "--cluster-key", "default <data>/cluster/node.key", kRestart,
       Path(Nested(&C::cluster, &ClusterConfig::key))},
      {"cluster.crl", "--cluster-crl", "default <data>/cluster/crl.pem when present", kRestart,
       Path(Nested(&C::cluster, &ClusterConfig::crl))},
      {"cluster.join_listen", "--join-listen", "host:port or off: token join endpoint", kRestart,
       Text(Nested(&C::cluster, &ClusterConfig::join_listen), ListenAddress::Parse)},
      {"cluster.join_ca", "--join-ca", "CA directory signing token joins", kRestart,
       Path(Nested(&C::cluster, &ClusterConfig::join_ca))},
      {"cluster.id", "--cluster-id", "taken from the node certificate when unset", kRestart,
       String(Nested(&C::cluster, &ClusterConfig::id))},
      {"replication.window_bytes", "--window-bytes", "e.g. 16MiB", kRestart,
       ByteSize(&C::replication_window_bytes)},
      {"sync.max_offline", "--max-offline", "e.g. 30d", kRestart, Text(&C::max_offline_ms, ParseDurationMs)},
      {"sync.subscriptions", "--subscribe", "key glob, repeatable (default *)", kReloaded,
       List(&C::subscriptions, AnyString)},
      {"sync.priorities", "--priority", "glob=class (urgent, normal, bulk), repeatable", kReloaded,
       List(&C::priorities, ParsePriorityRule)},
      {"log.level", "--log-level", "trace, debug, info, warning, error", kReloaded,
       Text(&C::log_level, LogLevel)},
      {"history.git_mirror", "", "", kRestart, Path(&C::history_git_mirror)},
      {"checkout.grace_period", "", "", kRestart, Text(&C::checkout_grace_ms, ParseDurationMs)},
      {"checkout.max_old_versions", "", "", kRestart, Count(&C::checkout_max_old_versions, 1, 1000)},
      {"fleet.heartbeat", "", "", kRestart, Text(&C::fleet_heartbeat_ms, ParseDurationMs)},
      {"fleet.stale_after", "", "", kRestart, Text(&C::fleet_stale_after_ms, ParseDurationMs)},
      {"s3.endpoint", "", "", kRestart, String(Nested(&C::s3, &S3Section::endpoint))},
      {"s3.region", "", "", kRestart, String(Nested(&C::s3, &S3Section::region))},
      {"s3.addressing", "", "", kRestart, Text(Nested(&C::s3, &S3Section::addressing), S3Addressing)},
      {"s3.credentials_file", "", "", kRestart, Path(Nested(&C::s3, &S3Section::credentials_file))},
      {"s3.profile", "", "", kRestart, String(Nested(&C::s3, &S3Section::profile))},
  };
  return keys;
}

}  // namespace

std::string TomlValue::Where() const {
  return std::string(source) + ":" + std::to_string(node.source().begin.line);
}

Status TomlValue::MustBe(std::string_view expected) const {
  return Status::InvalidArgument(Where() + ": key '" + std::string(key) + "' must be " +
                                 std::string(expected));
}

Status TomlValue::Invalid(const Status& why) const {
  return Status::InvalidArgument(Where() + ": key '" + std::string(key) + "': " + why.message());
}

std::span<const ConfigKey> ConfigKeys() { return Table(); }

const ConfigKey* FindConfigKey(std::string_view name) {
  for (const ConfigKey& key : Table()) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

}  // namespace edgesync
