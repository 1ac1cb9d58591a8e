// PeerNetwork: this node's replication, as the daemon wires it: the Replicator (store work on
// the daemon's bulk pool), the RefusalRecordingHandler in front of it, the PeerDiscovery in
// front of that (peers' peers at the same site), and the Transport that carries its links on
// the daemon's io_context. Without networking configured only the
// Replicator exists (peers/where/resync still answer). Built once at startup; afterwards safe
// for concurrent access.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "replication/replicator.h"
#include "base/status.h"
#include "store/store.h"
#include "syncd/daemon_config.h"
#include "control/replication_commands.h"
#include "replication/link_refusals.h"
#include "syncd/peer_discovery.h"
#include "syncd/peers/runtime_peers.h"
#include "transport/transport.h"

namespace edgesync {

struct PeerNetworkOptions {
  bool networking = false;  // false: no Transport (peer_listen off and no peers)
  transport::TransportOptions transport;
  replication::ReplicatorOptions replicator;
  bool listen = false;
  // Peers' peers (PeerDiscovery): this node's `site` label (empty: none dialed) and how many
  // of them it dials at most.
  std::string site;
  size_t max_peers = 16;
  std::vector<PeerAddress> peers;               // network.peers: static
  std::filesystem::path runtime_peers_file;     // peers added at runtime (RuntimePeers)
};

class PeerNetwork : public PeerLinks {
 public:
  // Creates the Replicator and, when networking, the Transport (which loads the TLS material:
  // a failure here is a configuration error). Does not listen or dial yet.
  // REQUIRES: `io` and `store` outlive the PeerNetwork.
  static Result<std::unique_ptr<PeerNetwork>> Create(boost::asio::io_context& io, Store& store,
                                                     PeerNetworkOptions options);
  ~PeerNetwork() override;

  // Listens (when configured) and starts dialing every peer. Returns the bound listen port, or
  // 0 when not listening. The address must be free: release any reservation first.
  Result<uint16_t> Start();
  // Shutdown, first half: stop accepting and dialing, flush and close links. Non-blocking.
  void ShutdownTransport();
  // Shutdown, second half: wait for replication's blocking tasks. REQUIRES: the blocking pool
  // still runs.
  void ShutdownReplicator();

  // Peers at runtime (`edgesync peers add|rm`): dialed or dropped at once and remembered in
  // the runtime peers file. A static peer (network.peers) can be neither added nor removed
  // here. FailedPrecondition without networking.
  Status AddPeer(const PeerAddress& peer);
  Status RemovePeer(const PeerAddress& peer);
  const std::vector<PeerAddress>& static_peers() const { return options_.peers; }
  std::vector<PeerAddress> runtime_peers() const { return runtime_peers_->List(); }

  // See Transport::ReloadCredentials. FailedPrecondition without networking.
  Result<std::vector<std::string>> ReloadCredentials(const transport::TlsMaterial& material);

  replication::Replicator& replicator() override { return *replicator_; }
  std::vector<LinkRefusal> RecentRefusals() const override;
  bool networking() const override { return transport_ != nullptr; }

 private:
  PeerNetwork() = default;

  void ScheduleRetry();
  bool IsStatic(const PeerAddress& peer) const;

  PeerNetworkOptions options_;
  // Every kRetryInterval: parked transfers start again (they park when, say, a full disk
  // refused their data, and nothing else would wake them while the links stay up), and
  // discovery forgets the dialed peers that stayed unreachable (PeerDiscovery::ForgetUnreachable).
  std::unique_ptr<boost::asio::steady_timer> retry_timer_;
  std::unique_ptr<RuntimePeers> runtime_peers_;
  std::unique_ptr<replication::Replicator> replicator_;
  std::unique_ptr<RefusalRecordingHandler> handler_;
  std::unique_ptr<PeerDiscovery> discovery_;  // in front of handler_
  std::unique_ptr<transport::Transport> transport_;
};

}  // namespace edgesync
