// MessageReassembler: joins fragmented frames back into whole messages, one stream per lane.
//
// Fragments of one message arrive in order on their lane; the other lane may interleave frames
// between them. A reassembled message never exceeds `max_message_size`.
// Thread-safety: needs external synchronization (one per session, used on its strand).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "transport/frame.h"

namespace edgesync::transport {

struct InboundMessage {
  Lane lane = Lane::kControl;
  std::uint32_t type = 0;
  std::string payload;
};

class MessageReassembler {
 public:
  explicit MessageReassembler(std::size_t max_message_size) : max_message_size_(max_message_size) {}

  // Returns the completed message, std::nullopt while a fragmented message is still partial, or
  // an error for a protocol violation (interleaved types on a lane, oversize message).
  Result<std::optional<InboundMessage>> Add(const DecodedFrame& frame);
  // Same, taking the frame's payload by value: a whole message, or the first fragment, is moved
  // into the result without a copy.
  Result<std::optional<InboundMessage>> Add(const FrameHeader& header,
                                                     std::string payload);

 private:
  struct Partial {
    bool active = false;
    std::uint32_t type = 0;
    std::string payload;
  };

  std::size_t max_message_size_;
  std::array<Partial, 2> partial_by_lane_;
};

}  // namespace edgesync::transport
