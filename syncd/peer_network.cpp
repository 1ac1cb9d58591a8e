#include "syncd/peer_network.h"

#include <algorithm>

namespace edgesync {
namespace {

Status NoNetworking() {
  return Status::FailedPrecondition(
      "replication is off on this node: set network.peer_listen or network.peers (docs/config.md)");
}

}  // namespace

Result<std::unique_ptr<PeerNetwork>> PeerNetwork::Create(boost::asio::io_context& io,
                                                         Store& store,
                                                         PeerNetworkOptions options) {
  std::unique_ptr<PeerNetwork> network(new PeerNetwork());
  auto runtime_peers = RuntimePeers::Open(options.runtime_peers_file);
  if (!runtime_peers.ok()) return runtime_peers.status();
  network->runtime_peers_ = std::move(*runtime_peers);
  network->replicator_ = std::make_unique<replication::Replicator>(store, options.replicator);
  network->handler_ = std::make_unique<RefusalRecordingHandler>(*network->replicator_);
  if (options.networking) {
    PeerNetwork* self = network.get();
    network->discovery_ = std::make_unique<PeerDiscovery>(
        *network->handler_,
        PeerDiscoveryOptions{options.transport.local_hello.node_id, options.site, options.max_peers,
                             [self](const std::string& host, uint16_t port) { self->transport_->ConnectTo(host, port); },
                             [self](const std::string& host, uint16_t port) { self->transport_->Disconnect(host, port); }});
    options.transport.hello_hints = [discovery = network->discovery_.get()](transport::Hello* hello) {
      discovery->FillHello(hello);
    };
    auto transport = transport::Transport::Create(io, options.transport, *network->discovery_);
    if (!transport.ok()) {
      return Status::InvalidArgument("cannot set up peer links: " + transport.status().message());
    }
    network->transport_ = std::move(transport).value();
  }
  network->options_ = std::move(options);
  network->retry_timer_ = std::make_unique<boost::asio::steady_timer>(io);
  return network;
}

PeerNetwork::~PeerNetwork() {
  ShutdownTransport();
  ShutdownReplicator();
}

Result<uint16_t> PeerNetwork::Start() {
  if (!transport_) return uint16_t{0};
  uint16_t port = 0;
  if (options_.listen) {
    auto listening = transport_->Listen();
    if (!listening.ok()) {
      return Status::InvalidArgument("network.peer_listen " +
                                     options_.transport.listen_address + ":" +
                                     std::to_string(options_.transport.listen_port) + ": " +
                                     listening.status().message());
    }
    port = listening.value();
    discovery_->SetListenPort(port);
  }
  for (const PeerAddress& peer : options_.peers) transport_->ConnectTo(peer.host, peer.port);
  for (const PeerAddress& peer : runtime_peers_->List()) {
    if (!IsStatic(peer)) transport_->ConnectTo(peer.host, peer.port);
  }
  ScheduleRetry();
  return port;
}

void PeerNetwork::ScheduleRetry() {
  constexpr auto kRetryInterval = std::chrono::seconds(10);
  retry_timer_->expires_after(kRetryInterval);
  retry_timer_->async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // cancelled: shutting down
    replicator_->RetryParked();
    if (discovery_) discovery_->ForgetUnreachable(std::chrono::steady_clock::now());
    ScheduleRetry();
  });
}

void PeerNetwork::ShutdownTransport() {
  if (retry_timer_) retry_timer_->cancel();
  if (transport_) transport_->Shutdown();
}

void PeerNetwork::ShutdownReplicator() {
  if (replicator_) replicator_->Shutdown();
}

bool PeerNetwork::IsStatic(const PeerAddress& peer) const {
  return std::any_of(options_.peers.begin(), options_.peers.end(), [&](const PeerAddress& p) {
    return p.host == peer.host && p.port == peer.port;
  });
}

Status PeerNetwork::AddPeer(const PeerAddress& peer) {
  if (!transport_) return NoNetworking();
  if (IsStatic(peer)) return Status::AlreadyExists(peer.ToString() + " is a configured peer (network.peers)");
  EDGESYNC_RETURN_IF_ERROR(runtime_peers_->Add(peer));
  transport_->ConnectTo(peer.host, peer.port);
  return Status::Ok();
}

Status PeerNetwork::RemovePeer(const PeerAddress& peer) {
  if (!transport_) return NoNetworking();
  if (IsStatic(peer))
    return Status::FailedPrecondition(peer.ToString() + " is configured in network.peers: remove it from the "
                                      "configuration file and restart");
  EDGESYNC_RETURN_IF_ERROR(runtime_peers_->Remove(peer));
  transport_->Disconnect(peer.host, peer.port);
  return Status::Ok();
}

Result<std::vector<std::string>> PeerNetwork::ReloadCredentials(
    const transport::TlsMaterial& material) {
  if (!transport_) return NoNetworking();
  return transport_->ReloadCredentials(material);
}

std::vector<LinkRefusal> PeerNetwork::RecentRefusals() const { return handler_->Recent(); }

}  // namespace edgesync
