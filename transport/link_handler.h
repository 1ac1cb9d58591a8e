// LinkHandler: the interface the layer above transport (replication) implements.
//
// Calls for one link are serialized on that link's strand, in order: OnLinkUp, OnMessage*,
// OnLinkDown. Calls for different links may run concurrently when the io_context has several
// threads. Handlers must not block: they run on the network threads.
#pragma once

#include <cstdint>
#include <string>

#include "transport/lane.h"
#include "transport/link.h"

namespace edgesync::transport {

class LinkHandler {
 public:
  virtual ~LinkHandler() = default;

  // Hello exchange succeeded on both sides; link.peer() is filled in.
  virtual void OnLinkUp(Link& link) = 0;
  // One whole (reassembled) message from the peer.
  virtual void OnMessage(Link& link, Lane lane, std::uint32_t type, std::string payload) = 0;
  // The link is gone; `reason` is a one-line explanation suitable for logs.
  virtual void OnLinkDown(Link& link, const std::string& reason) = 0;

  // A connection failed before becoming a link (TLS refusal, hello refusal, duplicate node id).
  virtual void OnLinkRefused(const std::string& /*address*/, const std::string& /*reason*/) {}
  // The bulk send queue fell below half its bound or emptied: room to send more.
  virtual void OnSendQueueLow(Link& /*link*/) {}
};

}  // namespace edgesync::transport
