// RefusalRecordingHandler: the LinkHandler the daemon gives transport. It forwards every call
// to the Replicator and keeps the last few refused connections (wrong cluster, revoked or
// expired certificate, duplicate node id) so `edgesync peers` can show why a peer is missing.
// Safe for concurrent access.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "transport/link_handler.h"

namespace edgesync {

struct LinkRefusal {
  std::string address;
  std::string reason;
  uint64_t at_ms = 0;  // wall clock, ms since the epoch
  uint64_t count = 1;  // consecutive refusals of this address for this reason
};

class RefusalRecordingHandler : public transport::LinkHandler {
 public:
  static constexpr size_t kMaxRecorded = 16;

  // REQUIRES: `inner` outlives this handler.
  explicit RefusalRecordingHandler(transport::LinkHandler& inner) : inner_(inner) {}

  void OnLinkUp(transport::Link& link) override;
  void OnMessage(transport::Link& link, transport::Lane lane, std::uint32_t type,
                 std::string payload) override;
  void OnLinkDown(transport::Link& link, const std::string& reason) override;
  void OnLinkRefused(const std::string& address, const std::string& reason) override;
  void OnSendQueueLow(transport::Link& link) override;

  // Newest first.
  std::vector<LinkRefusal> Recent() const;

 private:
  transport::LinkHandler& inner_;
  mutable Mutex mu_;
  std::deque<LinkRefusal> recent_ GUARDED_BY(mu_);  // newest at the front
};

}  // namespace edgesync
