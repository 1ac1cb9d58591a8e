#include "transport/transport.h"

#include <utility>  // before asio: Boost 1.74 awaitable.hpp needs std::exchange

#include <spdlog/spdlog.h>

#include <algorithm>

#include <boost/asio/io_context.hpp>

#include "transport/identity.h"
#include "transport/listener.h"
#include "transport/peer_dialer.h"
#include "transport/tls_context.h"
#include "transport/transport_context.h"

namespace edgesync::transport {

Result<std::unique_ptr<Transport>> Transport::Create(boost::asio::io_context& io,
                                                              TransportOptions options,
                                                              LinkHandler& handler) {
  const Hello& hello = options.local_hello;
  if (hello.node_id.empty() || hello.cluster_id.empty()) {
    return Status::InvalidArgument("local hello needs a node id and a cluster id");
  }
  if (hello.min_protocol_version > hello.max_protocol_version) {
    return Status::InvalidArgument("empty protocol version range");
  }
  if (options.max_frame_payload == 0 || options.max_frame_payload > (1u << 30)) {
    return Status::InvalidArgument("max_frame_payload must be within 1..1 GiB");
  }
  auto context = std::make_shared<TransportContext>(io, std::move(options), handler);
  if (context->options.insecure_plaintext_for_tests) {
    spdlog::warn(
        "transport: INSECURE PLAINTEXT MODE FOR TESTS: no TLS, no peer authentication, "
        "loopback only; never use in production");
  } else {
    const TransportOptions& o = context->options;
    auto material = LoadTlsMaterial({o.ca_cert_file, o.cert_file, o.key_file, o.crl_file});
    if (!material.ok()) return material.status();
    auto tls = CreateTlsContext(*material, o.local_hello.node_id);
    if (!tls.ok()) return tls.status();
    MutexLock lock(context->mutex);
    context->tls = std::move(tls).value();
  }
  return std::unique_ptr<Transport>(new Transport(std::move(context)));
}

Transport::Transport(std::shared_ptr<TransportContext> context) : context_(std::move(context)) {}

Transport::~Transport() { Shutdown(); }

Result<std::uint16_t> Transport::Listen() {
  MutexLock lock(context_->mutex);
  if (context_->shut_down) {
    return Status::InvalidArgument("transport is shut down");
  }
  if (context_->listener) return context_->listener->port();
  auto listener = Listener::Bind(context_);
  if (!listener.ok()) return listener.status();
  context_->listener = std::move(listener).value();
  context_->listener->Start();
  return context_->listener->port();
}

void Transport::ConnectTo(const std::string& host, std::uint16_t port) {
  MutexLock lock(context_->mutex);
  if (context_->shut_down) return;
  auto dialer = std::make_shared<PeerDialer>(context_, host, port);
  dialer->Start();
  context_->dialers.push_back(std::move(dialer));
}

bool Transport::Disconnect(const std::string& host, std::uint16_t port) {
  MutexLock lock(context_->mutex);
  auto& dialers = context_->dialers;
  auto it = std::find_if(dialers.begin(), dialers.end(),
                         [&](const auto& dialer) { return dialer->Dials(host, port); });
  if (it == dialers.end()) return false;
  (*it)->Stop("peer " + host + ":" + std::to_string(port) + " removed from this node's peers");
  dialers.erase(it);
  return true;
}

void Transport::Shutdown() {
  {
    MutexLock lock(context_->mutex);
    if (context_->shut_down) return;
    context_->shut_down = true;
    if (context_->listener) context_->listener->Stop();
    for (const auto& dialer : context_->dialers) dialer->Stop();
    context_->listener.reset();
    context_->dialers.clear();
  }
  for (const auto& session : context_->registry.AllSessions()) {
    session->Close("transport shutting down");
  }
}

Result<std::vector<std::string>> Transport::ReloadCredentials(const TlsMaterial& material) {
  if (context_->options.insecure_plaintext_for_tests) {
    return Status::FailedPrecondition("plaintext test mode has no TLS credentials to reload");
  }
  auto tls = CreateTlsContext(material, context_->options.local_hello.node_id);
  if (!tls.ok()) return tls.status();
  {
    MutexLock lock(context_->mutex);
    context_->tls = std::move(tls).value();
    context_->reloaded = material;
  }
  std::vector<std::string> closed;
  for (const auto& link : context_->registry.LiveLinks()) {
    const PeerInfo& peer = link->peer();
    Status valid = VerifyNodeCertificate(material.ca_pem, peer.certificate_pem, material.crl_pem);
    if (valid.ok()) continue;
    const std::string reason = "peer certificate no longer accepted: " + valid.message();
    spdlog::warn("transport: closing link peer={} address={}: {}", peer.node_id, peer.address, reason);
    link->Close(reason);
    closed.push_back(peer.node_id + ": " + reason);
  }
  return closed;
}

std::vector<std::shared_ptr<Link>> Transport::Links() const {
  return context_->registry.LiveLinks();
}

}  // namespace edgesync::transport
