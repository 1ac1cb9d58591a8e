// PeerDiscovery: nodes at one site find each other without a hand-wired mesh (docs/transport.md
// "Peers' peers"). It is the LinkHandler the daemon gives transport, in front of the refusal
// recorder: it forwards every call, remembers where each connected peer can be dialed (the host
// of its address with the listen port of its Hello), names those peers in this node's own
// Hellos (TransportOptions::hello_hints), and dials the peers a peer's Hello names that carry
// this node's `site` label value, at most `max_peers` of them. A dialed peer that has had no link
// for `forget_after` is no longer dialed (ForgetUnreachable), so a node that left the site does
// not hold a place under `max_peers` and a dial loop forever. Dialed peers are authenticated
// like any other: mutual TLS with the cluster CA. Nothing here listens.
// Safe for concurrent access.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
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
  // Stops what `dial` started (Transport::Disconnect). Called without locks held.
  std::function<void(const std::string& host, uint16_t port)> undial;
  // How long a dialed peer may go without a link before it is forgotten; a peer that names it
  // again later has it dialed again.
  std::chrono::steady_clock::duration forget_after = std::chrono::minutes(10);
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

  // Stops dialing the dialed peers that have had no link since `now - forget_after`; returns
  // how many. The daemon calls it every few seconds.
  size_t ForgetUnreachable(std::chrono::steady_clock::time_point now) EXCLUDES(mu_);

 private:
  struct DialedPeer {
    std::string host;
    uint16_t port = 0;
    // Since when it has had no link (from the dial, or its last link's end); nullopt while up.
    std::optional<std::chrono::steady_clock::time_point> unlinked_since;
  };

  transport::LinkHandler& inner_;
  const PeerDiscoveryOptions options_;
  mutable Mutex mu_;
  uint16_t listen_port_ GUARDED_BY(mu_) = 0;
  std::map<std::string, transport::PeerHint> connected_ GUARDED_BY(mu_);  // port 0: not dialable
  // Peers dialed because a peer named them, by node id.
  std::map<std::string, DialedPeer> dialed_ GUARDED_BY(mu_);
};

}  // namespace edgesync
