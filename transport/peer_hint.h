// PeerHint: a peer that a node is linked to and that other nodes may dial, as carried in the
// Hello (docs/transport.md "Peers' peers"). Plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace edgesync::transport {

struct PeerHint {
  std::string node_id;
  std::string host;
  std::uint16_t port = 0;
  std::map<std::string, std::string> labels;
};

// A Hello carries at most this many hints; more make it malformed.
inline constexpr std::size_t kMaxPeerHints = 64;

}  // namespace edgesync::transport
