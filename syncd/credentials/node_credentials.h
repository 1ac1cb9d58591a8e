// NodeCredentials: this node's TLS files while the daemon runs. Reloading them (SIGHUP,
// `edgesync cluster reload`) hands them to the peer network, which closes links to peers whose
// certificates no longer verify; and it keeps the dates `status` shows: the node certificate's
// notAfter and the CRL's nextUpdate, with a warning (in status and in the log) from
// kExpiryWarning before either.
// Thread-safety: safe for concurrent access.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include <nlohmann/json.hpp>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "syncd/daemon_config.h"
#include "syncd/peer_network.h"
#include "transport/tls_context.h"

namespace edgesync {

inline constexpr std::chrono::hours kExpiryWarning{24 * 14};

// The TLS files the daemon's configuration names; the CRL only when configured or present
// (looked at now: a crl.pem put in the default place later is taken by the next reload).
transport::CredentialFiles CredentialFilesOf(const ClusterFiles& files);

class NodeCredentials {
 public:
  // `on_reloaded` gets the material after the network took it (the write authority signs with
  // the renewed certificate and key from then on); may be empty.
  NodeCredentials(ClusterFiles files, std::function<void(const transport::TlsMaterial&)> on_reloaded)
      : files_(std::move(files)), on_reloaded_(std::move(on_reloaded)) {}

  // Reads the dates again and logs a warning for each file expiring within kExpiryWarning.
  void Check();
  // Reads the files and gives them to the network (see Transport::ReloadCredentials), then to
  // `on_reloaded`, then Check().
  // Returns {"closed": ["node: reason", ...], "credentials": Json()}.
  Result<nlohmann::json> Reload(PeerNetwork& network);
  // {"certificate": {"file", "until_ms", "until"}, "crl": {...} or null, "warnings": [...]}.
  nlohmann::json Json() const;

 private:
  const ClusterFiles files_;
  const std::function<void(const transport::TlsMaterial&)> on_reloaded_;
  mutable Mutex mu_;
  nlohmann::json state_ GUARDED_BY(mu_) = nullptr;
};

}  // namespace edgesync
