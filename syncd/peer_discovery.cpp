#include "syncd/peer_discovery.h"

#include <spdlog/spdlog.h>

#include <vector>

namespace edgesync {
namespace {

// The host of "host:port" or "[v6]:port".
std::string HostOf(const std::string& address) {
  std::string host = address.substr(0, address.rfind(':'));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return host;
}

}  // namespace

PeerDiscovery::PeerDiscovery(transport::LinkHandler& inner, PeerDiscoveryOptions options)
    : inner_(inner), options_(std::move(options)) {}

void PeerDiscovery::SetListenPort(uint16_t port) {
  MutexLock lock(mu_);
  listen_port_ = port;
}

void PeerDiscovery::FillHello(transport::Hello* hello) const {
  MutexLock lock(mu_);
  hello->listen_port = listen_port_;
  for (const auto& [node, hint] : connected_) {
    if (hint.port == 0) continue;
    if (hello->peer_hints.size() == transport::kMaxPeerHints) break;
    hello->peer_hints.push_back(hint);
  }
}

void PeerDiscovery::OnLinkUp(transport::Link& link) {
  const transport::PeerInfo& info = link.peer();
  std::vector<transport::PeerHint> to_dial;
  const auto now = std::chrono::steady_clock::now();
  {
    MutexLock lock(mu_);
    connected_[info.node_id] = {info.node_id, HostOf(info.address), info.listen_port, info.labels};
    if (auto dialed = dialed_.find(info.node_id); dialed != dialed_.end()) dialed->second.unlinked_since.reset();
    for (const transport::PeerHint& hint : info.peer_hints) {
      if (options_.site.empty() || dialed_.size() >= options_.max_peers) break;
      auto site = hint.labels.find("site");
      if (site == hint.labels.end() || site->second != options_.site || hint.node_id == options_.node_id ||
          connected_.count(hint.node_id) > 0 ||
          !dialed_.emplace(hint.node_id, DialedPeer{hint.host, hint.port, now}).second)
        continue;
      to_dial.push_back(hint);
    }
  }
  for (const transport::PeerHint& hint : to_dial) {
    spdlog::info("discovery: dialing {} at {}:{} (site {}, named by {})", hint.node_id, hint.host, hint.port,
                 options_.site, info.node_id);
    options_.dial(hint.host, hint.port);
  }
  inner_.OnLinkUp(link);
}

void PeerDiscovery::OnMessage(transport::Link& link, transport::Lane lane, std::uint32_t type, std::string payload) {
  inner_.OnMessage(link, lane, type, std::move(payload));
}

void PeerDiscovery::OnLinkDown(transport::Link& link, const std::string& reason) {
  {
    MutexLock lock(mu_);
    connected_.erase(link.peer().node_id);
    if (auto dialed = dialed_.find(link.peer().node_id); dialed != dialed_.end())
      dialed->second.unlinked_since = std::chrono::steady_clock::now();
  }
  inner_.OnLinkDown(link, reason);
}

void PeerDiscovery::OnLinkRefused(const std::string& address, const std::string& reason) {
  inner_.OnLinkRefused(address, reason);
}

void PeerDiscovery::OnSendQueueLow(transport::Link& link) { inner_.OnSendQueueLow(link); }

size_t PeerDiscovery::ForgetUnreachable(std::chrono::steady_clock::time_point now) {
  std::vector<std::pair<std::string, DialedPeer>> forgotten;
  {
    MutexLock lock(mu_);
    for (auto it = dialed_.begin(); it != dialed_.end();) {
      const auto& since = it->second.unlinked_since;
      if (since && now - *since >= options_.forget_after) {
        forgotten.emplace_back(it->first, std::move(it->second));
        it = dialed_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& [node, peer] : forgotten) {
    spdlog::info("discovery: no longer dialing {} at {}:{}: no link for {} s (dialed again if a peer names it)",
                 node, peer.host, peer.port,
                 std::chrono::duration_cast<std::chrono::seconds>(options_.forget_after).count());
    if (options_.undial) options_.undial(peer.host, peer.port);
  }
  return forgotten.size();
}

}  // namespace edgesync
