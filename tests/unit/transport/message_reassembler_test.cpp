#include "transport/message_reassembler.h"

#include <gtest/gtest.h>

namespace edgesync::transport {
namespace {

DecodedFrame Frame(Lane lane, std::uint32_t type, std::uint8_t flags, std::string_view payload) {
  DecodedFrame frame;
  frame.header.lane = lane;
  frame.header.type = type;
  frame.header.flags = flags;
  frame.header.payload_length = static_cast<std::uint32_t>(payload.size());
  frame.payload = payload;
  return frame;
}

TEST(MessageReassemblerTest, WholeMessagePassesThrough) {
  MessageReassembler reassembler(100);
  auto message = reassembler.Add(Frame(Lane::kControl, 7, 0, "abc"));
  ASSERT_TRUE(message.ok());
  ASSERT_TRUE(message.value().has_value());
  EXPECT_EQ(message.value()->payload, "abc");
  EXPECT_EQ(message.value()->type, 7u);
}

TEST(MessageReassemblerTest, JoinsFragmentsWithOtherLaneInterleaved) {
  MessageReassembler reassembler(100);
  auto first = reassembler.Add(Frame(Lane::kBulk, 9, kFrameFragment, "ab"));
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first.value().has_value());
  auto control = reassembler.Add(Frame(Lane::kControl, 1, 0, "ctl"));
  ASSERT_TRUE(control.ok());
  ASSERT_TRUE(control.value().has_value());
  auto last = reassembler.Add(Frame(Lane::kBulk, 9, kFrameFragment | kFrameLast, "cd"));
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE(last.value().has_value());
  EXPECT_EQ(last.value()->payload, "abcd");
  EXPECT_EQ(last.value()->lane, Lane::kBulk);
}

TEST(MessageReassemblerTest, RejectsOversizeAndInterleavedTypes) {
  MessageReassembler small(3);
  ASSERT_TRUE(small.Add(Frame(Lane::kBulk, 9, kFrameFragment, "ab")).ok());
  auto oversize = small.Add(Frame(Lane::kBulk, 9, kFrameFragment, "cd"));
  ASSERT_FALSE(oversize.ok());
  EXPECT_EQ(oversize.status().code(), Status::Code::kTooLarge);

  MessageReassembler reassembler(100);
  ASSERT_TRUE(reassembler.Add(Frame(Lane::kBulk, 9, kFrameFragment, "ab")).ok());
  EXPECT_FALSE(reassembler.Add(Frame(Lane::kBulk, 8, kFrameFragment, "cd")).ok());
  MessageReassembler whole_inside(100);
  ASSERT_TRUE(whole_inside.Add(Frame(Lane::kBulk, 9, kFrameFragment, "ab")).ok());
  EXPECT_FALSE(whole_inside.Add(Frame(Lane::kBulk, 9, 0, "cd")).ok());
}

}  // namespace
}  // namespace edgesync::transport
