// Frame codec: the versioned, length-checked binary unit carried in one WebSocket message.
//
// Layout (big-endian, 12-byte header then payload):
//   [0] format version  [1] lane  [2] flags  [3] reserved (0)
//   [4..7] message type (opaque to transport)  [8..11] payload length
// Messages larger than one frame are split into fragments (flag kFragment on every piece,
// kLast on the final one) and reassembled by MessageReassembler.
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "transport/lane.h"
#include "base/status.h"

namespace edgesync::transport {

inline constexpr std::uint8_t kFrameFormatVersion = 1;
inline constexpr std::size_t kFrameHeaderSize = 12;
inline constexpr std::size_t kDefaultMaxFramePayload = 256 * 1024;

enum FrameFlags : std::uint8_t {
  kFrameFragment = 0x01,  // this frame carries one piece of a larger message
  kFrameLast = 0x02,      // final piece of a fragmented message (only with kFrameFragment)
};

struct FrameHeader {
  Lane lane = Lane::kControl;
  std::uint8_t flags = 0;
  std::uint32_t type = 0;
  std::uint32_t payload_length = 0;

  bool fragment() const { return (flags & kFrameFragment) != 0; }
  bool last() const { return (flags & kFrameLast) != 0; }
};

using EncodedFrameHeader = std::array<std::uint8_t, kFrameHeaderSize>;

EncodedFrameHeader EncodeFrameHeader(const FrameHeader& header);

struct DecodedFrame {
  FrameHeader header;
  std::string_view payload;  // points into the decoded bytes
};

// Decodes the 12-byte header at the start of `bytes` (the payload may follow or not): rejects a
// short header, an unknown format version, an unknown lane or flag, a non-zero reserved byte and
// a length above `max_payload`. Does not compare the length with the bytes present.
Result<FrameHeader> DecodeFrameHeader(std::string_view bytes, std::size_t max_payload);

// Decodes exactly one frame occupying all of `bytes`. Rejects a short header, an unknown format
// version, an unknown lane or flag, a length above `max_payload`, and a length that disagrees
// with the bytes present (truncated or trailing data).
Result<DecodedFrame> DecodeFrame(std::string_view bytes, std::size_t max_payload);

}  // namespace edgesync::transport
