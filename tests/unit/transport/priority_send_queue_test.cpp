#include "transport/priority_send_queue.h"

#include <gtest/gtest.h>

namespace edgesync::transport {
namespace {

using WriterState = PrioritySendQueue::WriterState;
using PushResult = PrioritySendQueue::PushResult;

FrameHeader HeaderOf(const OutboundFrame& frame) {
  const std::string bytes(frame.header.begin(), frame.header.end());
  auto decoded = DecodeFrame(bytes + std::string(frame.payload), 1 << 20);
  EXPECT_TRUE(decoded.ok());
  return decoded->header;
}

TEST(PrioritySendQueueTest, ControlOvertakesQueuedBulkBetweenFragments) {
  PrioritySendQueue queue(1000, 1000, 4);
  EXPECT_EQ(queue.Push(Lane::kBulk, 2, "0123456789"), PushResult::kQueued);
  OutboundFrame frame;
  ASSERT_EQ(queue.PeekFrame(frame), WriterState::kFrameReady);
  EXPECT_EQ(frame.payload, "0123");
  EXPECT_TRUE(HeaderOf(frame).fragment());
  EXPECT_FALSE(HeaderOf(frame).last());
  queue.CommitFrame(frame);

  EXPECT_EQ(queue.Push(Lane::kControl, 1, "ack"), PushResult::kQueued);
  ASSERT_EQ(queue.PeekFrame(frame), WriterState::kFrameReady);
  EXPECT_EQ(frame.lane, Lane::kControl);
  EXPECT_EQ(frame.payload, "ack");
  EXPECT_FALSE(HeaderOf(frame).fragment());
  queue.CommitFrame(frame);

  ASSERT_EQ(queue.PeekFrame(frame), WriterState::kFrameReady);
  EXPECT_EQ(frame.payload, "4567");
  queue.CommitFrame(frame);
  ASSERT_EQ(queue.PeekFrame(frame), WriterState::kFrameReady);
  EXPECT_EQ(frame.payload, "89");
  EXPECT_TRUE(HeaderOf(frame).last());
  queue.CommitFrame(frame);
  EXPECT_EQ(queue.queued_bytes(Lane::kBulk), 0u);
  EXPECT_EQ(queue.PeekFrame(frame), WriterState::kIdle);
  EXPECT_EQ(queue.Push(Lane::kControl, 1, "x"), PushResult::kQueuedWakeWriter);
}

TEST(PrioritySendQueueTest, BoundIsPerLaneAndNeverExceeded) {
  PrioritySendQueue queue(4, 10, 100);
  EXPECT_EQ(queue.Push(Lane::kBulk, 2, std::string(8, 'b')), PushResult::kQueued);
  EXPECT_EQ(queue.Push(Lane::kBulk, 2, std::string(3, 'b')), PushResult::kFull);
  EXPECT_EQ(queue.queued_bytes(Lane::kBulk), 8u);
  EXPECT_EQ(queue.Push(Lane::kControl, 1, "ctl"), PushResult::kQueued);
  EXPECT_EQ(queue.Push(Lane::kControl, 1, "xy"), PushResult::kFull);
}

TEST(PrioritySendQueueTest, CloseAfterDrainFlushesThenCloses) {
  PrioritySendQueue queue(100, 100, 100);
  queue.Push(Lane::kBulk, 2, "data");
  queue.CloseAfterDrain();
  EXPECT_EQ(queue.Push(Lane::kBulk, 2, "late"), PushResult::kClosed);
  OutboundFrame frame;
  ASSERT_EQ(queue.PeekFrame(frame), WriterState::kFrameReady);
  queue.CommitFrame(frame);
  EXPECT_EQ(queue.PeekFrame(frame), WriterState::kDrainedAndClosing);
}

TEST(PrioritySendQueueTest, AbortKeepsTheFrameInFlightAlive) {
  PrioritySendQueue queue(100, 100, 2);
  queue.Push(Lane::kBulk, 2, "abcdef");
  queue.Push(Lane::kBulk, 2, "gh");
  OutboundFrame frame;
  ASSERT_EQ(queue.PeekFrame(frame), WriterState::kFrameReady);
  queue.Abort();
  EXPECT_EQ(frame.payload, "ab");  // still readable
  queue.CommitFrame(frame);
  EXPECT_EQ(queue.Push(Lane::kBulk, 2, "x"), PushResult::kClosed);
}

TEST(PrioritySendQueueTest, ReportsLowWaterMark) {
  PrioritySendQueue queue(100, 8, 2);
  queue.Push(Lane::kBulk, 2, "abcdef");
  OutboundFrame frame;
  queue.PeekFrame(frame);
  EXPECT_FALSE(queue.CommitFrame(frame));  // 4 left: not below half of 8
  queue.PeekFrame(frame);
  EXPECT_TRUE(queue.CommitFrame(frame));   // 2 left: crossed below half
}

}  // namespace
}  // namespace edgesync::transport
