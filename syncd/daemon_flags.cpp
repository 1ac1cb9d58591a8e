#include "syncd/daemon_flags.h"

#include <type_traits>

#include <CLI/CLI.hpp>

#include "base/exit_codes.h"

namespace edgesync {

std::variant<DaemonInvocation, int> ParseDaemonFlags(int argc, char** argv) {
  DaemonInvocation inv;
  ConfigOverrides& o = inv.overrides;
  CLI::App app{"edgesyncd " EDGESYNC_VERSION
               " - syncs ML models, datasets and metadata between edge and cloud nodes.\n"
               "Configuration: defaults < TOML file (--config) < flags. See docs/config.md.\n"
               "Exit codes: 0 ok, 1 runtime error, 2 usage, 78 configuration error.",
               "edgesyncd"};
  app.set_version_flag("--version", EDGESYNC_VERSION);
  std::string config_file;
  app.add_option("-c,--config", config_file,
                 "TOML configuration file (default: $CONFIGURATION_DIRECTORY/edgesync.toml "
                 "when run by systemd, else none)");
  app.add_flag("--check-config", inv.check_config_only,
               "validate the configuration, print it, and exit");
  // A repeated single-valued flag takes its last value, as in most daemons.
  auto opt = [&](const char* flags, auto& member, const char* help) {
    CLI::Option* option = app.add_option(flags, member, help);
    if constexpr (!std::is_same_v<std::decay_t<decltype(member)>, std::vector<std::string>>) {
      option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }
  };
  opt("--node-name", o.node_name, "node.name: human name of this node");
  opt("--label", o.labels, "node.labels: key=value, repeatable (role=edge, site=hall-3)");
  opt("--data-dir", o.data_dir, "storage.data_dir: where the store lives");
  opt("--control-socket", o.control_socket, "control.socket: unix socket path");
  opt("--socket-group", o.socket_group, "control.group: group owning the control socket");
  opt("--peer-listen", o.peer_listen, "network.peer_listen: host:port or off");
  opt("--http-status", o.http_status, "network.http_status: host:port or off");
  opt("--log-level", o.log_level, "log.level: trace, debug, info, warning, error");
  opt("--chunk-min", o.chunk_min, "chunking.min, e.g. 16KiB");
  opt("--chunk-avg", o.chunk_avg, "chunking.avg, e.g. 64KiB (a power of two)");
  opt("--chunk-max", o.chunk_max, "chunking.max, e.g. 256KiB");
  opt("--block-cache", o.block_cache, "storage.block_cache, e.g. 8MiB");
  opt("--write-buffer", o.write_buffer, "storage.write_buffer, e.g. 32MiB");
  opt("--subscribe", o.subscriptions, "sync.subscriptions: key glob, repeatable (default *)");
  opt("--peer", o.peers, "network.peers: host:port to dial, repeatable");
  opt("--cluster-ca-cert", o.ca_cert, "cluster.ca_cert (default <data>/cluster/ca.crt)");
  opt("--cluster-cert", o.cert, "cluster.cert (default <data>/cluster/node.crt)");
  opt("--cluster-key", o.key, "cluster.key (default <data>/cluster/node.key)");
  opt("--cluster-crl", o.crl, "cluster.crl (default <data>/cluster/crl.pem when present)");
  opt("--cluster-id", o.cluster_id, "cluster.id (default: from the node certificate)");
  opt("--window-bytes", o.window_bytes, "replication.window_bytes, e.g. 16MiB");
  opt("--max-offline", o.max_offline, "sync.max_offline, e.g. 30d");
  app.add_flag("--insecure-plaintext-for-tests", o.insecure_plaintext_for_tests,
               "network.insecure_plaintext_for_tests: TEST ONLY, no TLS, loopback only");
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  inv.config_file = config_file;
  return inv;
}

}  // namespace edgesync
