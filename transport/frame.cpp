#include "transport/frame.h"

#include <string>

namespace edgesync::transport {
namespace {

void PutUint32(std::uint8_t* out, std::uint32_t value) {
  out[0] = static_cast<std::uint8_t>(value >> 24);
  out[1] = static_cast<std::uint8_t>(value >> 16);
  out[2] = static_cast<std::uint8_t>(value >> 8);
  out[3] = static_cast<std::uint8_t>(value);
}

std::uint32_t GetUint32(const unsigned char* in) {
  return (std::uint32_t{in[0]} << 24) | (std::uint32_t{in[1]} << 16) | (std::uint32_t{in[2]} << 8) |
         std::uint32_t{in[3]};
}

Status Malformed(std::string message) {
  return Status::Corruption(std::move(message));
}

}  // namespace

EncodedFrameHeader EncodeFrameHeader(const FrameHeader& header) {
  EncodedFrameHeader out{};
  out[0] = kFrameFormatVersion;
  out[1] = static_cast<std::uint8_t>(header.lane);
  out[2] = header.flags;
  out[3] = 0;
  PutUint32(&out[4], header.type);
  PutUint32(&out[8], header.payload_length);
  return out;
}

Result<FrameHeader> DecodeFrameHeader(std::string_view bytes, std::size_t max_payload) {
  if (bytes.size() < kFrameHeaderSize) {
    return Malformed("frame truncated: " + std::to_string(bytes.size()) + " bytes, header needs " +
                     std::to_string(kFrameHeaderSize));
  }
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  if (in[0] != kFrameFormatVersion) {
    return Status::Unsupported("unknown frame format version " + std::to_string(in[0]) +
                               " (supported: " + std::to_string(kFrameFormatVersion) + ")");
  }
  if (in[1] > static_cast<std::uint8_t>(Lane::kBulk)) {
    return Malformed("unknown lane " + std::to_string(in[1]));
  }
  const std::uint8_t flags = in[2];
  if ((flags & ~(kFrameFragment | kFrameLast)) != 0 || flags == kFrameLast) {
    return Malformed("invalid frame flags " + std::to_string(flags));
  }
  if (in[3] != 0) return Malformed("reserved header byte is " + std::to_string(in[3]));

  FrameHeader header;
  header.lane = static_cast<Lane>(in[1]);
  header.flags = flags;
  header.type = GetUint32(in + 4);
  header.payload_length = GetUint32(in + 8);
  if (header.payload_length > max_payload) {
    return Status::TooLarge("frame payload length " + std::to_string(header.payload_length) +
                               " exceeds limit " + std::to_string(max_payload));
  }
  return header;
}

Result<DecodedFrame> DecodeFrame(std::string_view bytes, std::size_t max_payload) {
  auto header = DecodeFrameHeader(bytes, max_payload);
  if (!header.ok()) return header.status();
  DecodedFrame frame;
  frame.header = header.value();
  const std::size_t present = bytes.size() - kFrameHeaderSize;
  if (present < frame.header.payload_length) {
    return Malformed("frame truncated: payload length " +
                     std::to_string(frame.header.payload_length) + ", " + std::to_string(present) +
                     " bytes present");
  }
  if (present > frame.header.payload_length) {
    return Malformed("frame has " + std::to_string(present - frame.header.payload_length) +
                     " trailing bytes after its payload");
  }
  frame.payload = bytes.substr(kFrameHeaderSize);
  return frame;
}

}  // namespace edgesync::transport
