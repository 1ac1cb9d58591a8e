#include "transport/link_registry.h"

namespace edgesync::transport {

void LinkRegistry::Track(const std::shared_ptr<Link>& session) {
  MutexLock lock(mutex_);
  sessions_[session.get()] = session;
}

void LinkRegistry::Untrack(const Link* session) {
  MutexLock lock(mutex_);
  sessions_.erase(session);
}

std::vector<std::shared_ptr<Link>> LinkRegistry::AllSessions() const {
  std::vector<std::shared_ptr<Link>> result;
  MutexLock lock(mutex_);
  for (const auto& [key, weak] : sessions_) {
    if (auto session = weak.lock()) result.push_back(std::move(session));
  }
  return result;
}

Status LinkRegistry::Admit(const std::string& node_id, const std::string& address,
                                    const std::shared_ptr<Link>& link) {
  MutexLock lock(mutex_);
  auto it = live_by_node_id_.find(node_id);
  if (it != live_by_node_id_.end() && !it->second.link.expired()) {
    return Status::PermissionDenied("duplicate node id '" + node_id +
                                                 "': already linked from " + it->second.address +
                                                 ", refusing second link from " + address);
  }
  live_by_node_id_[node_id] = LiveEntry{link, address};
  return Status::Ok();
}

void LinkRegistry::Release(const std::string& node_id, const Link* link) {
  MutexLock lock(mutex_);
  auto it = live_by_node_id_.find(node_id);
  if (it == live_by_node_id_.end()) return;
  auto holder = it->second.link.lock();
  if (!holder || holder.get() == link) live_by_node_id_.erase(it);
}

std::vector<std::shared_ptr<Link>> LinkRegistry::LiveLinks() const {
  std::vector<std::shared_ptr<Link>> result;
  MutexLock lock(mutex_);
  for (const auto& [node_id, entry] : live_by_node_id_) {
    if (auto link = entry.link.lock()) result.push_back(std::move(link));
  }
  return result;
}

}  // namespace edgesync::transport
