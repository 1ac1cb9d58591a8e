// DaemonConfig: everything edgesyncd reads from its TOML file and flags, with the defaults of
// docs/config.md; each key's name, flag and parser are in the key table (config_keys.h).
// Parsing rejects unknown keys and wrong types with one line naming the key, so a daemon never
// starts half-configured. Plain value type.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/chunker_params.h"
#include "base/status.h"
#include "limits/bandwidth_limiter.h"
#include "limits/priority_class.h"
#include "base/time_text.h"  // ParseDurationMs, for the config keys
#include "syncd/deploy_tables.h"
#include "syncd/socket_path.h"
#include "syncd/storage_keys.h"

namespace edgesync {

inline constexpr uint16_t kDefaultHttpStatusPort = 7780;

// A TCP listen address; disabled when `enabled` is false ("off" in the file).
struct ListenAddress {
  bool enabled = false;
  std::string host;   // an IP literal, without brackets
  uint16_t port = 0;  // 0 = any free port (tests)

  static Result<ListenAddress> Parse(std::string_view text);  // "off", "1.2.3.4:5", "[::1]:5"
  std::string ToString() const;
};

// A peer to dial: "host:port" (host name or IP literal; IPv6 as [addr]:port), port not 0.
struct PeerAddress {
  std::string host;
  uint16_t port = 0;

  static Result<PeerAddress> Parse(std::string_view text);
  std::string ToString() const;
};

// Cluster membership: TLS material and the cluster id. Empty paths mean the defaults under
// `<data_dir>/cluster/` (ca.crt, node.crt, node.key, crl.pem); see ClusterFiles().
struct ClusterConfig {
  std::filesystem::path ca_cert;
  std::filesystem::path cert;
  std::filesystem::path key;
  std::filesystem::path crl;  // optional: the default is used only when the file exists
  std::string id;             // empty: taken from the node certificate
  // Token joins (docs/security.md, "Joining with a token"): the endpoint new nodes send their
  // request to (default off) and the CA directory (ca.key, ca.crt) whose key signs them.
  ListenAddress join_listen;
  std::filesystem::path join_ca;
};

// The [s3] section: where s3:// URLs go and which credentials sign them, so the service needs
// no environment. Empty fields fall back to the AWS environment and ~/.aws (docs/object-storage.md).
struct S3Section {
  std::string endpoint;                    // "https://s3.example.net", "http://127.0.0.1:9000"
  std::string region;                      // "eu-west-1"
  std::string addressing;                  // "path", "virtual", or "" (path for an endpoint)
  std::filesystem::path credentials_file;  // an AWS credentials file
  std::string profile;                     // its profile (default: AWS_PROFILE, else default)
};

// The systemd credential (LoadCredentialEncrypted=) read as storage.encryption_key_file when
// that key is unset.
inline constexpr char kStoreKeyCredential[] = "edgesync-store-key";

struct DaemonConfig {
  std::string node_name;                      // default: host name
  std::map<std::string, std::string> labels;  // role=edge, site=...
  std::filesystem::path data_dir;             // default: DefaultDataDir()
  std::filesystem::path control_socket;       // default: DefaultControlSocket()
  std::string socket_group;                   // empty: the daemon's primary group
  ListenAddress peer_listen;                  // default off
  std::vector<PeerAddress> peers;             // dialed and kept up
  // Peers named in a peer's Hello that share this node's `site` label: dialed, at most this many.
  uint64_t max_peers = 16;
  // TEST ONLY: plain WebSocket without TLS or authentication, loopback addresses only.
  bool insecure_plaintext_for_tests = false;
  ClusterConfig cluster;
  uint64_t replication_window_bytes = 16u << 20;
  // A deleted key is purged for good once every peer heard from within this time has read its
  // tombstone and the delete is older than this; a peer offline longer must compare everything.
  uint64_t max_offline_ms = 30ull * 24 * 3600 * 1000;
  ListenAddress http_status{true, "127.0.0.1", kDefaultHttpStatusPort};
  // Bearer token for /status and /metrics; required when http_status is not on loopback.
  std::string http_token;
  // Origins allowed to open /status from a browser; empty: the status address itself
  // (http://127.0.0.1:<port>, http://localhost:<port>, http://<bound host>:<port>).
  std::vector<std::string> http_allowed_origins;
  std::string log_level = "info";
  ChunkerParams chunking;
  uint64_t block_cache_bytes = 8u << 20;
  uint64_t write_buffer_bytes = 32u << 20;
  // The S3 chunk tier of a cloud node (docs/object-storage.md): s3://bucket/prefix, or empty
  // for chunks on local disk. Its cache, pack size and metadata checkpoint period.
  std::string chunk_tier;
  uint64_t chunk_cache_bytes = uint64_t{2} << 30;
  uint64_t pack_bytes = 32u << 20;
  uint64_t tier_checkpoint_ms = 5 * 60 * 1000;
  // Encryption at rest (docs/store.md): values sealed under a data key that the key in
  // encryption_key_file wraps; under systemd the file defaults to the credential
  // kStoreKeyCredential in $CREDENTIALS_DIRECTORY.
  bool encryption = false;
  std::filesystem::path encryption_key_file;
  // Retention (store/retention.h): per key, the newest keep_versions versions that are younger
  // than keep_for (0: no age limit); [[storage.retention]] tables override both for key globs.
  uint64_t keep_versions = 10;
  uint64_t keep_for_ms = 0;
  std::vector<RetentionOverride> retention_overrides;
  // The disk quota (quota/disk_quota.h): chunk bytes stored at most, and free space the
  // filesystem keeps; each in bytes or a percent of the filesystem; 0: not set.
  DiskSize max_bytes;
  DiskSize min_free;
  std::vector<std::string> subscriptions{"*"};
  // network.max_send_rate, max_recv_rate, peer_rates and rate_schedule (docs/config.md).
  limits::BandwidthConfig bandwidth;
  // sync.priorities: key globs to transfer classes, first match wins.
  std::vector<limits::PriorityRule> priorities;
  // A bare git repository mirroring the change log (docs/catalog.md); empty: no mirror.
  std::filesystem::path history_git_mirror;
  S3Section s3;
  // How long a checkout keeps a version directory after the link leaves it, and how many such
  // old directories it keeps at most (syncd/checkout_retention.h).
  uint64_t checkout_grace_ms = 60'000;
  uint64_t checkout_max_old_versions = 8;
  // How often this node rewrites its fleet record at least, and how old another node's record
  // may be before the node counts as stale (fleet/, docs/operations.md "The fleet view").
  uint64_t fleet_heartbeat_ms = 60'000;
  uint64_t fleet_stale_after_ms = 300'000;
  // [[deploy]] tables (docs/deploy.md); applied again on reload.
  std::vector<DeployDeclaration> deploys;

  // Replication runs when the node listens for peers or dials any.
  bool replication_enabled() const { return peer_listen.enabled || !peers.empty(); }

  // Defaults that depend on the environment (host name, data dir, socket path).
  static DaemonConfig Defaults(const ProcessEnvironment& env);

  // Checks values the parser cannot check key by key (chunk sizes, socket path length, ...).
  Status Validate() const;
};

// Applies a TOML document over `config`. Unknown keys and wrong types are errors naming
// `source:line` and the key. Relative paths are taken relative to `base_dir`.
Status ApplyConfigToml(std::string_view text, std::string_view source,
                       const std::filesystem::path& base_dir, DaemonConfig* config);

// Reads `file` and applies it over `config`.
Status ApplyConfigFile(const std::filesystem::path& file, DaemonConfig* config);

// Values given on the command line, by config key ("network.peers" -> {"a:7443", "b:7443"}), as
// edgesyncd's flags (daemon_flags.cpp) collect them from the key table (config_keys.h): one value
// for a single-valued flag, each value of a repeatable one in order, none for a switch.
using ConfigOverrides = std::map<std::string, std::vector<std::string>>;

// Each key given replaces the file's value (labels are added; a switch turns its key on). Errors
// name the flag. Relative paths are taken relative to `cwd`.
Status ApplyOverrides(const ConfigOverrides& overrides, const std::filesystem::path& cwd,
                      DaemonConfig* config);

// The TLS files of `config` with defaults filled in. `crl_required` is false when the CRL
// path is the default one (used only when present).
struct ClusterFiles {
  std::filesystem::path ca_cert, cert, key, crl;
  bool crl_required = false;
};
ClusterFiles ResolveClusterFiles(const DaemonConfig& config);

// "64KiB", "8MiB", "1GiB", "4096" -> bytes.
Result<uint64_t> ParseByteSize(std::string_view text);
// "trace", "debug", "info", "warning", "error".
Status ValidateLogLevel(std::string_view level);

// Defaults, then the file (explicit, or DefaultConfigFile()), then flags; then Validate().
// Fills in the socket path last, since it depends on the final data dir.
Result<DaemonConfig> LoadDaemonConfig(const std::filesystem::path& config_file,
                                      const ConfigOverrides& overrides,
                                      const ProcessEnvironment& env);

}  // namespace edgesync

namespace edgesync {

// Config keys whose value differs between the running and the reloaded configuration and that
// take effect only after a restart (those the key table marks OnSighup::kRestart), in table order.
std::vector<std::string> KeysNeedingRestart(const DaemonConfig& running,
                                            const DaemonConfig& reloaded);

}  // namespace edgesync
