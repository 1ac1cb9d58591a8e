// TLS context for mutual authentication inside one cluster.
//
// TLS 1.3 only, AES-GCM first; our node key and certificate; peers must present a certificate
// (verify_peer | fail_if_no_peer_cert) that chains to the cluster CA and, when a CRL file is
// configured, is not revoked. Our own certificate is checked up front: a node id mismatch fails,
// an expired, revoked or foreign certificate is logged loudly at startup.
// Thread-safety: the returned context is immutable and shared by all sessions.
#pragma once

#include <memory>

#include "transport/transport_options.h"
#include "base/status.h"

namespace boost::asio::ssl {
class context;
}

namespace edgesync::transport {

Result<std::shared_ptr<boost::asio::ssl::context>> CreateTlsContext(
    const TransportOptions& options);

}  // namespace edgesync::transport
