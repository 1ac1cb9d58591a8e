// PeerDiscovery: nodes at one site find each other without a hand-wired mesh (docs/transport.md
// "Peers' peers"). It is the LinkHandler the daemon gives transport, in front of the refusal
// recorder: it forwards every call, remembers where each connected peer can be dialed (the host
// of its address with the listen port of its Hello), names those peers in this node's own
// Hellos (TransportOptions::hello_hints), and dials the peers a peer's Hello names that carry
// this node's `site` label value, at most `max_peers` of them. Dialed peers are authenticated
// like any other: mutual TLS with the cluster CA. Nothing here listens.
// Safe for concurrent access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "transport/hello.h"
#include "transport/link_handler.h"

namespace edgesync {

struct PeerDiscoveryOptions {
  std::string node_id;
  std::string site;  // this node's `site` label; empty: it dials no discovered peer
  size_t max_peers = 16;
  // Keeps a link to host:port up (Transport::ConnectTo). Called without locks held.
  std::function<void(const std::string& host, uint16_t port)> dial;
};

class PeerDiscovery : public transport::LinkHandler {
 public:
  // REQUIRES: `inner` outlives this handler.
  PeerDiscovery(transport::LinkHandler& inner, PeerDiscoveryOptions options);

  // The port this node accepts links on (0: none), told to peers in its Hellos.
  void SetListenPort(uint16_t port) EXCLUDES(mu_);
  // Sets hello->listen_port and names the connected peers that can be dialed.
  void FillHello(transport::Hello* hello) const EXCLUDES(mu_);

  void OnLinkUp(transport::Link& link) override EXCLUDES(mu_);
  void OnMessage(transport::Link& link, transport::Lane lane, std::uint32_t type, std::string payload) override;
  void OnLinkDown(transport::Link& link, const std::string& reason) override EXCLUDES(mu_);
  void OnLinkRefused(const std::string& address, const std::string& reason) override;
  void OnSendQueueLow(transport::Link& link) override;

 private:
  transport::LinkHandler& inner_;
  const PeerDiscoveryOptions options_;
  mutable Mutex mu_;
  uint16_t listen_port_ GUARDED_BY(mu_) = 0;
  std::map<std::string, transport::PeerHint> connected_ GUARDED_BY(mu_);  // port 0: not dialable
  std::set<std::string> dialed_ GUARDED_BY(mu_);  // node ids dialed because a peer named them
};

}  // namespace edgesync
