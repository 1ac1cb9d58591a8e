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
};

// Protocol versions this build speaks (negotiated in the transport Hello).
inline constexpr std::uint32_t kMinProtocolVersion = 1;
inline constexpr std::uint32_t kMaxProtocolVersion = 1;

}  // namespace edgesync::replication
