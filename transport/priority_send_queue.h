// PrioritySendQueue: the bounded, two-lane outbound queue of one link.
//
// Control messages always go out before queued bulk frames; a message larger than one frame is
// cut into fragments at send time (no copy: a frame's payload is a view into the queued message),
// so a control message can overtake a long bulk message between two of its fragments. Each lane
// holds at most its configured number of bytes; Push refuses beyond that, so memory never grows
// past the bound. One writer takes frames with PeekFrame and confirms them with CommitFrame.
// Thread-safety: safe for concurrent access (Push from any thread, one writer).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "transport/frame.h"

namespace edgesync::transport {

struct OutboundFrame {
  EncodedFrameHeader header;
  std::string_view payload;  // valid until CommitFrame
  Lane lane = Lane::kControl;
};

class PrioritySendQueue {
 public:
  enum class PushResult { kQueued, kQueuedWakeWriter, kFull, kClosed };
  enum class WriterState { kFrameReady, kIdle, kDrainedAndClosing };

  PrioritySendQueue(std::size_t max_control_bytes, std::size_t max_bulk_bytes,
                    std::size_t max_frame_payload);

  // kQueuedWakeWriter means the writer went idle and must be woken.
  PushResult Push(Lane lane, std::uint32_t type, std::string payload);

  // Next frame for the writer, control lane first. kIdle: queue empty, writer should wait for a
  // wake-up. kDrainedAndClosing: queue empty and CloseAfterDrain was called.
  WriterState PeekFrame(OutboundFrame& frame);
  // Marks the frame from the last PeekFrame as written. Returns true when the bulk lane just fell
  // below half of its bound (or emptied): a good moment for the producer to send more.
  bool CommitFrame(const OutboundFrame& frame);

  // The writer would sleep with a bulk frame ready (a bandwidth limit holds the bulk lane back):
  // the next Push wakes it, so a control message goes out at once. Returns false, and the
  // writer must not sleep, when a control message is already queued.
  bool WriterSleeps();

  // Refuses further pushes; the writer drains what is queued, then sees kDrainedAndClosing.
  // Returns true when the writer is idle and must be woken.
  bool CloseAfterDrain();
  // Refuses further pushes and drops everything queued.
  void Abort();

  std::size_t queued_bytes(Lane lane) const;

 private:
  struct QueuedMessage {
    std::uint32_t type;
    std::string payload;
    std::size_t cost;            // bytes counted against the lane bound (at least 1)
    std::size_t sent = 0;        // payload bytes already written as frames
    bool fragmented = false;     // decided at the first frame
  };
  struct LaneQueue {
    std::deque<QueuedMessage> messages;
    std::size_t bytes = 0;
    std::size_t max_bytes = 0;
  };

  const std::size_t max_frame_payload_;
  mutable Mutex mutex_;
  std::array<LaneQueue, 2> lanes_ GUARDED_BY(mutex_);
  std::optional<Lane> in_flight_ GUARDED_BY(mutex_);  // lane of the frame being written
  bool writer_idle_ GUARDED_BY(mutex_) = false;
  bool closing_ GUARDED_BY(mutex_) = false;
};

}  // namespace edgesync::transport
