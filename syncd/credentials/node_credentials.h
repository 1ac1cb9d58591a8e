// NodeCredentials: this node's TLS files while the daemon runs. Reloading them (SIGHUP,
// `edgesync cluster reload`) hands them to the peer network, which closes links to peers whose
// certificates no longer verify; and it keeps the dates `status` shows: the node certificate's
// notAfter and the CRL's nextUpdate, with a warning (in status and in the log) from
// kExpiryWarning before either.
// Thread-safety: safe for concurrent access.
#pragma once

#include <chrono>
#include <cstdint>

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
  explicit NodeCredentials(ClusterFiles files) : files_(std::move(files)) {}

  // Reads the dates again and logs a warning for each file expiring within kExpiryWarning.
  void Check();
  // The network takes the files again (see Transport::ReloadCredentials), then Check().
  // Returns {"closed": ["node: reason", ...], "credentials": Json()}.
  Result<nlohmann::json> Reload(PeerNetwork& network);
  // {"certificate": {"file", "until_ms", "until"}, "crl": {...} or null, "warnings": [...]}.
  nlohmann::json Json() const;

 private:
  const ClusterFiles files_;
  mutable Mutex mu_;
  nlohmann::json state_ GUARDED_BY(mu_) = nullptr;
};

}  // namespace edgesync
