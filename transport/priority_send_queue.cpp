#include "transport/priority_send_queue.h"

#include <algorithm>

namespace edgesync::transport {

PrioritySendQueue::PrioritySendQueue(std::size_t max_control_bytes, std::size_t max_bulk_bytes,
                                     std::size_t max_frame_payload)
    : max_frame_payload_(max_frame_payload) {
  lanes_[static_cast<std::size_t>(Lane::kControl)].max_bytes = max_control_bytes;
  lanes_[static_cast<std::size_t>(Lane::kBulk)].max_bytes = max_bulk_bytes;
}

PrioritySendQueue::PushResult PrioritySendQueue::Push(Lane lane, std::uint32_t type,
                                                      std::string payload) {
  MutexLock lock(mutex_);
  if (closing_) return PushResult::kClosed;
  LaneQueue& queue = lanes_[static_cast<std::size_t>(lane)];
  // An empty message still occupies a frame header; count it as one byte so the bound holds.
  const std::size_t cost = std::max<std::size_t>(payload.size(), 1);
  if (queue.bytes + cost > queue.max_bytes) return PushResult::kFull;
  queue.bytes += cost;
  queue.messages.push_back(QueuedMessage{type, std::move(payload), cost});
  if (writer_idle_) {
    writer_idle_ = false;
    return PushResult::kQueuedWakeWriter;
  }
  return PushResult::kQueued;
}

PrioritySendQueue::WriterState PrioritySendQueue::PeekFrame(OutboundFrame& frame) {
  MutexLock lock(mutex_);
  for (Lane lane : {Lane::kControl, Lane::kBulk}) {
    LaneQueue& queue = lanes_[static_cast<std::size_t>(lane)];
    if (queue.messages.empty()) continue;
    QueuedMessage& message = queue.messages.front();
    if (message.sent == 0) message.fragmented = message.payload.size() > max_frame_payload_;
    const std::size_t length = std::min(max_frame_payload_, message.payload.size() - message.sent);
    FrameHeader header;
    header.lane = lane;
    header.type = message.type;
    header.payload_length = static_cast<std::uint32_t>(length);
    if (message.fragmented) {
      header.flags = kFrameFragment;
      if (message.sent + length == message.payload.size()) header.flags |= kFrameLast;
    }
    frame.header = EncodeFrameHeader(header);
    frame.payload = std::string_view(message.payload).substr(message.sent, length);
    frame.lane = lane;
    in_flight_ = lane;
    return WriterState::kFrameReady;
  }
  if (closing_) return WriterState::kDrainedAndClosing;
  writer_idle_ = true;
  return WriterState::kIdle;
}

bool PrioritySendQueue::CommitFrame(const OutboundFrame& frame) {
  MutexLock lock(mutex_);
  in_flight_.reset();
  LaneQueue& queue = lanes_[static_cast<std::size_t>(frame.lane)];
  if (queue.messages.empty()) return false;
  QueuedMessage& message = queue.messages.front();
  const std::size_t before = queue.bytes;
  message.sent += frame.payload.size();
  if (message.sent < message.payload.size()) {
    queue.bytes -= frame.payload.size();
  } else {
    queue.bytes -= message.cost - (message.sent - frame.payload.size());
    queue.messages.pop_front();
  }
  if (frame.lane != Lane::kBulk) return false;
  const std::size_t low_mark = queue.max_bytes / 2;
  return queue.bytes < low_mark && (before >= low_mark || queue.bytes == 0);
}

bool PrioritySendQueue::WriterSleeps() {
  MutexLock lock(mutex_);
  if (!lanes_[static_cast<std::size_t>(Lane::kControl)].messages.empty()) return false;
  writer_idle_ = true;
  return true;
}

bool PrioritySendQueue::CloseAfterDrain() {
  MutexLock lock(mutex_);
  closing_ = true;
  const bool wake = writer_idle_;
  writer_idle_ = false;
  return wake;
}

void PrioritySendQueue::Abort() {
  MutexLock lock(mutex_);
  closing_ = true;
  for (Lane lane : {Lane::kControl, Lane::kBulk}) {
    LaneQueue& queue = lanes_[static_cast<std::size_t>(lane)];
    // The message being written stays alive: the writer still points into it.
    const bool keep_front = in_flight_ == lane && !queue.messages.empty();
    while (queue.messages.size() > (keep_front ? 1u : 0u)) {
      queue.bytes -= queue.messages.back().cost;
      queue.messages.pop_back();
    }
  }
}

std::size_t PrioritySendQueue::queued_bytes(Lane lane) const {
  MutexLock lock(mutex_);
  return lanes_[static_cast<std::size_t>(lane)].bytes;
}

}  // namespace edgesync::transport
