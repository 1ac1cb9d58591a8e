// Feeds arbitrary bytes to the frame decoder, first as one frame, then as a sequence of frames
// (each prefixed by one length byte) pushed through a reassembler as a session would, so one
// input can carry fragments and interleaved lanes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "transport/frame.h"
#include "transport/message_reassembler.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgesync::transport;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The whole input as one frame.
  (void)DecodeFrame(input, 1024);

  MessageReassembler reassembler(4096);
  std::size_t offset = 0;
  while (offset < input.size()) {
    const std::size_t length = static_cast<std::uint8_t>(input[offset]);
    ++offset;
    const std::string_view chunk = input.substr(offset, length);
    offset += chunk.size();
    auto frame = DecodeFrame(chunk, 256);
    if (!frame.ok()) continue;
    auto message = reassembler.Add(frame.value());
    if (!message.ok()) break;  // a session would drop the link here
  }
  return 0;
}
