// Link: the consumer's handle on one established, authenticated connection to a peer node.
//
// A Link exists from OnLinkUp until OnLinkDown (see link_handler.h); holding a
// shared_from_this() past OnLinkDown is safe, Send then returns false.
// Thread-safety: safe for concurrent access; Send may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "transport/lane.h"
#include "transport/peer_hint.h"

namespace edgesync::transport {

// Who the peer is: certificate identity plus what it said in its Hello. Fixed once the link is up.
struct PeerInfo {
  std::string node_id;     // from the verified certificate (equal to the Hello's)
  std::string role;        // from the certificate
  std::string cluster_id;  // from the certificate
  std::string address;     // remote "ip:port"
  bool inbound = false;    // true when the peer dialed us
  std::uint32_t protocol_version = 0;  // negotiated: highest common version
  std::map<std::string, std::string> labels;  // from its Hello: what it claims, not proof
  // Labels signed into its verified certificate by the cluster CA; empty in plaintext test mode.
  // Read rules use these and the certificate's role, never the Hello's labels.
  std::map<std::string, std::string> certified_labels;
  std::vector<std::string> subscriptions;
  std::string store_epoch;
  std::string upper_layer;  // opaque Hello bytes for the layer above
  std::uint16_t listen_port = 0;      // where the peer accepts links; 0: it does not listen
  std::vector<PeerHint> peer_hints;   // peers of the peer that others may dial
  std::string software_version;  // from its Hello ("0.1.0 (commit ...)"); empty from older peers
  std::string certificate_pem;   // its verified certificate; empty in plaintext test mode
  // Peer's wall clock minus ours, from the time in its Hello (transport/clock_skew.h); nullopt
  // when the peer sent none.
  std::optional<std::int64_t> clock_skew_ms;
};

// Byte and message counters of one link, per direction (wire bytes include frame headers).
struct LinkStats {
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_received = 0;
};

class Link : public std::enable_shared_from_this<Link> {
 public:
  virtual ~Link() = default;

  // Queues a message. `type` must be below kFirstReservedMessageType and the payload within the
  // message size limit. Returns false when the link is closed, the message is invalid, or the
  // lane's queue is full; a full queue means the peer does not keep up, and the link is dropped.
  virtual bool Send(Lane lane, std::uint32_t type, std::string payload) = 0;

  // Flushes what is queued, then closes with `reason` (sent to the peer in the close frame).
  virtual void Close(std::string reason) = 0;

  virtual const PeerInfo& peer() const = 0;
  virtual LinkStats stats() const = 0;
  // Bytes waiting in the lane's send queue; producers can pace bulk data by it.
  virtual std::size_t queued_bytes(Lane lane) const = 0;
};

}  // namespace edgesync::transport
