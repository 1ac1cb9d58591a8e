// Lanes and reserved message types shared by the frame codec, the send queue and the public API.
// Thread-safety: constants only.
#pragma once

#include <cstdint>

namespace edgesync::transport {

// Control messages (hello, changes, requests, acks) are never queued behind Bulk chunk data.
enum class Lane : std::uint8_t { kControl = 0, kBulk = 1 };

inline const char* LaneName(Lane lane) { return lane == Lane::kControl ? "control" : "bulk"; }

// Message types at or above this value belong to the link layer itself (hello, ack, refuse);
// the layer above uses types below it.
inline constexpr std::uint32_t kFirstReservedMessageType = 0xFFFF0000u;
inline constexpr std::uint32_t kHelloMessageType = 0xFFFF0001u;
inline constexpr std::uint32_t kHelloAcceptMessageType = 0xFFFF0002u;
inline constexpr std::uint32_t kRefuseMessageType = 0xFFFF0003u;

inline bool IsReservedMessageType(std::uint32_t type) { return type >= kFirstReservedMessageType; }

}  // namespace edgesync::transport
