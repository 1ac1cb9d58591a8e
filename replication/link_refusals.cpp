#include "replication/link_refusals.h"

#include <chrono>

namespace edgesync {

void RefusalRecordingHandler::OnLinkUp(transport::Link& link) {
  {
    // A peer that connects is no longer refused at its address.
    MutexLock lock(mu_);
    std::erase_if(recent_, [&](const LinkRefusal& r) { return r.address == link.peer().address; });
  }
  inner_.OnLinkUp(link);
}

void RefusalRecordingHandler::OnMessage(transport::Link& link, transport::Lane lane,
                                        std::uint32_t type, std::string payload) {
  inner_.OnMessage(link, lane, type, std::move(payload));
}

void RefusalRecordingHandler::OnLinkDown(transport::Link& link, const std::string& reason) {
  inner_.OnLinkDown(link, reason);
}

void RefusalRecordingHandler::OnLinkRefused(const std::string& address,
                                            const std::string& reason) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  uint64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
  {
    MutexLock lock(mu_);
    if (!recent_.empty() && recent_.front().address == address &&
        recent_.front().reason == reason) {
      recent_.front().at_ms = now_ms;
      ++recent_.front().count;
    } else {
      recent_.push_front(LinkRefusal{address, reason, now_ms, 1});
      if (recent_.size() > kMaxRecorded) recent_.pop_back();
    }
  }
  inner_.OnLinkRefused(address, reason);
}

void RefusalRecordingHandler::OnSendQueueLow(transport::Link& link) {
  inner_.OnSendQueueLow(link);
}

std::vector<LinkRefusal> RefusalRecordingHandler::Recent() const {
  MutexLock lock(mu_);
  return {recent_.begin(), recent_.end()};
}

}  // namespace edgesync
