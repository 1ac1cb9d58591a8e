#include "transport/message_reassembler.h"

namespace edgesync::transport {

Result<std::optional<InboundMessage>> MessageReassembler::Add(const DecodedFrame& frame) {
  return Add(frame.header, std::string(frame.payload));
}

Result<std::optional<InboundMessage>> MessageReassembler::Add(const FrameHeader& header,
                                                                       std::string payload) {
  Partial& partial = partial_by_lane_[static_cast<std::size_t>(header.lane)];

  if (!header.fragment()) {
    if (partial.active) {
      return Status::Corruption(std::string("whole message on lane ") + LaneName(header.lane) +
                                 " while a fragmented message is incomplete");
    }
    return std::optional<InboundMessage>(
        InboundMessage{header.lane, header.type, std::move(payload)});
  }

  if (partial.active && partial.type != header.type) {
    return Status::Corruption("fragment of type " + std::to_string(header.type) +
                               " interleaved with incomplete message of type " +
                               std::to_string(partial.type));
  }
  if (partial.payload.size() + payload.size() > max_message_size_) {
    return Status::TooLarge("reassembled message exceeds limit " + std::to_string(max_message_size_));
  }
  partial.active = true;
  partial.type = header.type;
  if (partial.payload.empty()) {
    partial.payload = std::move(payload);
  } else {
    partial.payload.append(payload);
  }
  if (!header.last()) return std::optional<InboundMessage>();

  InboundMessage message{header.lane, header.type, std::move(partial.payload)};
  partial = Partial{};
  return std::optional<InboundMessage>(std::move(message));
}

}  // namespace edgesync::transport
