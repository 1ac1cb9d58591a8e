// Feeds arbitrary bytes to the daemon's config loader as its TOML file: every input must apply or
// come back as an error, never crash or hang. An applied file then goes through what
// LoadDaemonConfig and a SIGHUP reload do with it: Validate(), the restart-key comparison, the
// cluster file defaults; and every address it holds must print in a form that parses back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "syncd/daemon_config.h"

namespace {

using edgesync::ListenAddress;

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckListenRoundTrip(const ListenAddress& address) {
  edgesync::Result<ListenAddress> again = ListenAddress::Parse(address.ToString());
  Check(again.ok() && again->enabled == address.enabled && again->host == address.host &&
        again->port == address.port);
}

const edgesync::DaemonConfig& Defaults() {
  static const edgesync::DaemonConfig defaults = [] {
    edgesync::ProcessEnvironment env;
    env.cwd = "/var/lib/edgesync-fuzz";
    return edgesync::DaemonConfig::Defaults(env);
  }();
  return defaults;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  edgesync::DaemonConfig config = Defaults();
  edgesync::Status applied = edgesync::ApplyConfigToml(text, "fuzz.toml", "/etc/edgesync", &config);
  if (!applied.ok()) {
    Check(!applied.message().empty());
    return 0;
  }
  (void)config.Validate();
  (void)edgesync::KeysNeedingRestart(Defaults(), config);
  (void)edgesync::ResolveClusterFiles(config);
  CheckListenRoundTrip(config.peer_listen);
  CheckListenRoundTrip(config.http_status);
  for (const edgesync::PeerAddress& peer : config.peers) {
    edgesync::Result<edgesync::PeerAddress> again = edgesync::PeerAddress::Parse(peer.ToString());
    Check(again.ok() && again->host == peer.host && again->port == peer.port);
  }
  return 0;
}
