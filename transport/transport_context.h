// TransportContext: the state shared by one Transport's listener, dialers and sessions.
// Internal to transport/. Sessions hold it by shared_ptr so it outlives the Transport object.
// Thread-safety: immutable after creation except the registry and the members under `mutex`.
// The TLS context is replaced by credential reloads; each session keeps the one it started with.
#pragma once

#include <memory>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "transport/link_handler.h"
#include "transport/identity.h"
#include "transport/link_registry.h"
#include "transport/tls_context.h"
#include "transport/transport_options.h"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace edgesync::transport {

class Listener;
class PeerDialer;

struct TransportContext {
  TransportContext(boost::asio::io_context& io_context, TransportOptions transport_options,
                   LinkHandler& link_handler)
      : io(io_context), options(std::move(transport_options)), handler(link_handler) {}

  boost::asio::io_context& io;
  const TransportOptions options;
  LinkHandler& handler;
  LinkRegistry registry;

  // For a session that began its handshake with `started_with`: OK when that is still the
  // current TLS context; after a reload, whether `cert_pem` verifies against the reloaded CA and
  // CRL. Checked once the session holds its node id, so a reload racing a handshake cannot let
  // a now-revoked peer in (the reload's own pass covers links that were live before it).
  Status StillAccepted(const boost::asio::ssl::context* started_with, const std::string& cert_pem) {
    MutexLock lock(mutex);
    if (started_with == tls.get() || !reloaded) return Status::Ok();
    return VerifyNodeCertificate(reloaded->ca_pem, cert_pem, reloaded->crl_pem);
  }

  Mutex mutex;
  std::shared_ptr<boost::asio::ssl::context> tls GUARDED_BY(mutex);  // null in plaintext mode
  std::optional<TlsMaterial> reloaded GUARDED_BY(mutex);  // what the last reload read
  std::shared_ptr<Listener> listener GUARDED_BY(mutex);
  std::vector<std::shared_ptr<PeerDialer>> dialers GUARDED_BY(mutex);
  bool shut_down GUARDED_BY(mutex) = false;
};

}  // namespace edgesync::transport
