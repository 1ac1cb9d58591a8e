// LinkRegistry: every session of one Transport, and the live links keyed by peer node id.
//
// Exists so a second live link claiming an already connected node id is refused (with both
// addresses named), and so Shutdown can reach every session, including those still handshaking.
// Thread-safety: safe for concurrent access.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "transport/link.h"
#include "base/status.h"

namespace edgesync::transport {

class LinkRegistry {
 public:
  void Track(const std::shared_ptr<Link>& session);
  void Untrack(const Link* session);
  std::vector<std::shared_ptr<Link>> AllSessions() const;

  // Claims `node_id` for `link`; kRefused when another live link already holds it.
  Status Admit(const std::string& node_id, const std::string& address,
                        const std::shared_ptr<Link>& link);
  // Gives up the claim if `link` holds it.
  void Release(const std::string& node_id, const Link* link);
  std::vector<std::shared_ptr<Link>> LiveLinks() const;

 private:
  struct LiveEntry {
    std::weak_ptr<Link> link;
    std::string address;
  };

  mutable Mutex mutex_;
  std::map<const Link*, std::weak_ptr<Link>> sessions_ GUARDED_BY(mutex_);
  std::map<std::string, LiveEntry> live_by_node_id_ GUARDED_BY(mutex_);
};

}  // namespace edgesync::transport
