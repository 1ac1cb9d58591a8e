#include "status/outbound_queue.h"

namespace edgesync {

bool OutboundQueue::Push(Message message) {
  if (messages_.size() >= limits_.max_messages || bytes_ + message->size() > limits_.max_bytes) {
    return false;
  }
  bytes_ += message->size();
  messages_.push_back(std::move(message));
  return true;
}

void OutboundQueue::Pop() {
  bytes_ -= messages_.front()->size();
  messages_.pop_front();
}

}  // namespace edgesync
