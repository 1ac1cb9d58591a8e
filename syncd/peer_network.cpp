#include "syncd/peer_network.h"

namespace edgesync {

Result<std::unique_ptr<PeerNetwork>> PeerNetwork::Create(boost::asio::io_context& io,
                                                         Store& store,
                                                         PeerNetworkOptions options) {
  std::unique_ptr<PeerNetwork> network(new PeerNetwork());
  network->replicator_ = std::make_unique<replication::Replicator>(store, options.replicator);
  network->handler_ = std::make_unique<RefusalRecordingHandler>(*network->replicator_);
  if (options.networking) {
    auto transport = transport::Transport::Create(io, options.transport, *network->handler_);
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
  }
  for (const PeerAddress& peer : options_.peers) transport_->ConnectTo(peer.host, peer.port);
  ScheduleRetry();
  return port;
}

void PeerNetwork::ScheduleRetry() {
  constexpr auto kRetryInterval = std::chrono::seconds(10);
  retry_timer_->expires_after(kRetryInterval);
  retry_timer_->async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // cancelled: shutting down
    replicator_->RetryParked();
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

Result<std::vector<std::string>> PeerNetwork::ReloadCredentials(
    const transport::CredentialFiles& files) {
  if (!transport_) return Status::FailedPrecondition("this node has no peer network to reload");
  return transport_->ReloadCredentials(files);
}

std::vector<LinkRefusal> PeerNetwork::RecentRefusals() const { return handler_->Recent(); }

}  // namespace edgesync
