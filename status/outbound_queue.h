// OutboundQueue: the messages waiting to be written to one status client, bounded in count and
// bytes. A client that lets it fill up is too slow to follow the feed: the caller drops it
// rather than buffering without limit. Needs external synchronization.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <string>

namespace edgesync {

struct OutboundLimits {
  size_t max_messages = 256;
  size_t max_bytes = 1u << 20;
};

class OutboundQueue {
 public:
  using Message = std::shared_ptr<const std::string>;

  explicit OutboundQueue(OutboundLimits limits = {}) : limits_(limits) {}

  // Appends `message`; returns false (and keeps nothing) when it would exceed a limit.
  bool Push(Message message);
  bool empty() const { return messages_.empty(); }
  size_t size() const { return messages_.size(); }
  size_t bytes() const { return bytes_; }
  const Message& front() const { return messages_.front(); }
  void Pop();

 private:
  OutboundLimits limits_;
  std::deque<Message> messages_;
  size_t bytes_ = 0;
};

}  // namespace edgesync
