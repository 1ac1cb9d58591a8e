// Transport: owns the listener and the dialers of one node and the links they produce.
//
// Wiring: fill TransportOptions, implement LinkHandler, then
//   auto transport = Transport::Create(io, options, handler);   // checks TLS material
//   transport.value()->Listen();                                 // accept wss://host:port/sync
//   transport.value()->ConnectTo("cloud.example", 7443);         // keep a link to a peer up
//   io.run();  ...  transport.value()->Shutdown();               // graceful: flush, close
// The handler and the io_context must outlive the Transport's activity (until io.run returns);
// drop every Link reference before destroying the io_context (a Link owns its socket).
// Thread-safety: all methods are safe for concurrent access.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "transport/link.h"
#include "transport/link_handler.h"
#include "transport/tls_context.h"
#include "transport/transport_options.h"
#include "base/status.h"

namespace boost::asio {
class io_context;
}

namespace edgesync::transport {

struct TransportContext;
class Listener;
class PeerDialer;

class Transport {
 public:
  static Result<std::unique_ptr<Transport>> Create(boost::asio::io_context& io,
                                                            TransportOptions options,
                                                            LinkHandler& handler);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Binds and starts accepting. Returns the bound port (useful with listen_port = 0).
  Result<std::uint16_t> Listen();
  // Keeps a link to host:port up, reconnecting with jittered exponential backoff.
  void ConnectTo(const std::string& host, std::uint16_t port);
  // Stops what ConnectTo(host, port) started and closes the link it made. False when nothing
  // dials host:port.
  bool Disconnect(const std::string& host, std::uint16_t port);
  // Stops accepting and dialing, flushes and closes every link. Idempotent.
  void Shutdown();

  // Takes new TLS material (LoadTlsMaterial): new connections use it, and live links whose
  // peer certificate no longer verifies (revoked, expired, another CA) are closed with the
  // reason, as are handshakes that finish after it. Returns one line per closed link
  // ("node-id: reason"). On error (a key that does not match, a certificate for another node
  // id) nothing changes. Plaintext test mode has no credentials: FailedPrecondition.
  Result<std::vector<std::string>> ReloadCredentials(const TlsMaterial& material);

  // Live links (hello completed).
  std::vector<std::shared_ptr<Link>> Links() const;

 private:
  explicit Transport(std::shared_ptr<TransportContext> context);

  std::shared_ptr<TransportContext> context_;
};

}  // namespace edgesync::transport
