// TLS context for mutual authentication inside one cluster.
//
// TLS 1.3 only, AES-GCM first; our node key and certificate; peers must present a certificate
// (verify_peer | fail_if_no_peer_cert) that chains to the cluster CA and, when a CRL file is
// configured, is not revoked. Our own certificate is checked up front: a node id mismatch fails,
// an expired, revoked or foreign certificate is logged loudly.
// The material is read from files once per context: at startup and at each credential reload
// (Transport::ReloadCredentials), which builds a new context for new connections.
// Thread-safety: the returned context is immutable and shared by the sessions that use it.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"

namespace boost::asio::ssl {
class context;
}

namespace edgesync::transport {

// Where a node's TLS material lives. `crl` empty: no revocation list.
struct CredentialFiles {
  std::filesystem::path ca_cert;
  std::filesystem::path cert;
  std::filesystem::path key;
  std::filesystem::path crl;
};

// The PEM text of those files, read at one moment.
struct TlsMaterial {
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
  std::optional<std::string> crl_pem;
};

Result<TlsMaterial> LoadTlsMaterial(const CredentialFiles& files);

// REQUIRES: `node_id` is the node id this transport announces; a certificate naming another
// id is an error.
Result<std::shared_ptr<boost::asio::ssl::context>> CreateTlsContext(const TlsMaterial& material,
                                                                    const std::string& node_id);

}  // namespace edgesync::transport
