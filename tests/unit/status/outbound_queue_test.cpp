#include "status/outbound_queue.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

OutboundQueue::Message Text(size_t bytes) { return std::make_shared<const std::string>(bytes, 'x'); }

TEST(OutboundQueueTest, RefusesTheMessageBeyondTheCountLimit) {
  OutboundQueue queue({3, 1 << 20});
  EXPECT_TRUE(queue.Push(Text(10)));
  EXPECT_TRUE(queue.Push(Text(10)));
  EXPECT_TRUE(queue.Push(Text(10)));
  EXPECT_FALSE(queue.Push(Text(1)));
  EXPECT_EQ(queue.size(), 3u);
  queue.Pop();
  EXPECT_TRUE(queue.Push(Text(1)));
}

TEST(OutboundQueueTest, RefusesTheMessageBeyondTheByteLimit) {
  OutboundQueue queue({100, 1000});
  EXPECT_TRUE(queue.Push(Text(600)));
  EXPECT_FALSE(queue.Push(Text(401)));
  EXPECT_EQ(queue.bytes(), 600u);
  EXPECT_TRUE(queue.Push(Text(400)));
  EXPECT_EQ(queue.bytes(), 1000u);
  queue.Pop();
  EXPECT_EQ(queue.bytes(), 400u);
  EXPECT_EQ(queue.front()->size(), 400u);
}

}  // namespace
}  // namespace edgesync
