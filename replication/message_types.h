// Message type numbers of the replication protocol (below transport's reserved range).
#pragma once

#include <cstdint>

namespace edgesync::replication {

enum MessageType : std::uint32_t {
  kChangesRequest = 1,
  kChangesBatch = 2,
  kPoke = 3,
  kManifestRequest = 4,
  kManifestReply = 5,
  kChunkRequest = 6,
  kChunkData = 7,
  kChunkAvailability = 8,  // protocol 3
};

// Protocol versions this build speaks (negotiated in the transport Hello).
// 2: version ids hash key, vector and content, and vectors name store incarnations
// ("node.1a2b3c4d"). A node of protocol 1 would show other ids for the same versions and could
// reuse counters after a restore, so it is refused (upgrade every node; docs/replication.md).
// 3: ChunkAvailability, sent only to peers that negotiated 3 (a node of protocol 2 closes a link
// that carries a message type it does not know).
inline constexpr std::uint32_t kMinProtocolVersion = 2;
inline constexpr std::uint32_t kMaxProtocolVersion = 3;
inline constexpr std::uint32_t kAvailabilityProtocolVersion = 3;

}  // namespace edgesync::replication
