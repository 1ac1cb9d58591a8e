// Hello: the link-level introduction each side sends first, and the rules for accepting it.
//
// Both sides send a Hello, check the peer's (cluster id, node id against its certificate,
// a common protocol version), then answer HelloAccept or Refuse. Serialization is protobuf
// (transport/link.proto); these functions keep the generated types out of public headers.
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transport/certified_identity.h"
#include "transport/peer_hint.h"
#include "base/status.h"

namespace edgesync::transport {

struct Hello {
  std::string cluster_id;
  std::string node_id;
  std::uint32_t min_protocol_version = 1;
  std::uint32_t max_protocol_version = 1;
  std::map<std::string, std::string> labels;
  std::vector<std::string> subscriptions;
  std::string store_epoch;
  std::string upper_layer;  // opaque bytes for the layer above transport
  std::uint64_t wall_ms = 0;  // sender's wall clock when sent (ms since the epoch); 0: unknown
  std::uint16_t listen_port = 0;  // the port the sender accepts links on; 0: none
  std::vector<PeerHint> peer_hints;
  std::string software_version;  // "0.1.0 (commit 4059bc7d2f1e)"; empty: not given (older peers)
};

std::string EncodeHello(const Hello& hello);
Result<Hello> DecodeHello(std::string_view bytes);

std::string EncodeHelloAccept(std::uint32_t protocol_version);
Result<std::uint32_t> DecodeHelloAccept(std::string_view bytes);

std::string EncodeRefuse(const std::string& reason);
Result<std::string> DecodeRefuse(std::string_view bytes);

// Highest version inside both ranges, or std::nullopt when the ranges do not overlap.
std::optional<std::uint32_t> NegotiateProtocolVersion(const Hello& local, const Hello& peer);

// Checks a peer's Hello against our own Hello and the peer's verified certificate. On success
// returns the negotiated protocol version; otherwise a kRefused status whose message is the
// reason sent to the peer. `certified` is std::nullopt in plaintext test mode.
Result<std::uint32_t> CheckPeerHello(const Hello& local, const Hello& peer,
                                              const std::optional<CertifiedIdentity>& certified);

}  // namespace edgesync::transport
