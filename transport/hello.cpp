#include "transport/hello.h"

#include <algorithm>

#include "transport/link.pb.h"

namespace edgesync::transport {
namespace {

Status Malformed(const char* what) {
  return Status::Corruption(std::string(what) + " does not parse");
}

Status Refused(std::string reason) {
  return Status::PermissionDenied(std::move(reason));
}

// "host:port" with a port in 1..65535 and a bounded host; labels bounded too.
Result<PeerHint> DecodePeerHint(const wire::PeerHint& h) {
  PeerHint hint{h.node_id(), {}, 0, {h.labels().begin(), h.labels().end()}};
  const std::string& address = h.address();
  const auto colon = address.rfind(':');
  if (hint.node_id.empty() || hint.node_id.size() > 128 || address.size() > 260 || colon == std::string::npos ||
      colon == 0 || hint.labels.size() > 32)
    return Malformed("hello peer hint");
  hint.host = address.substr(0, colon);
  const std::string port = address.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
    return Malformed("hello peer hint port");
  const unsigned long value = std::stoul(port);
  if (value == 0 || value > 65535) return Malformed("hello peer hint port");
  hint.port = static_cast<std::uint16_t>(value);
  return hint;
}

}  // namespace

std::string EncodeHello(const Hello& hello) {
  wire::Hello message;
  message.set_cluster_id(hello.cluster_id);
  message.set_node_id(hello.node_id);
  message.set_min_protocol_version(hello.min_protocol_version);
  message.set_max_protocol_version(hello.max_protocol_version);
  for (const auto& [key, value] : hello.labels) (*message.mutable_labels())[key] = value;
  for (const auto& subscription : hello.subscriptions) message.add_subscriptions(subscription);
  message.set_store_epoch(hello.store_epoch);
  message.set_upper_layer(hello.upper_layer);
  message.set_wall_ms(hello.wall_ms);
  message.set_listen_port(hello.listen_port);
  for (const PeerHint& hint : hello.peer_hints) {
    wire::PeerHint* h = message.add_peer_hints();
    h->set_node_id(hint.node_id);
    h->set_address(hint.host + ":" + std::to_string(hint.port));
    for (const auto& [key, value] : hint.labels) (*h->mutable_labels())[key] = value;
  }
  message.set_software_version(hello.software_version);
  return message.SerializeAsString();
}

Result<Hello> DecodeHello(std::string_view bytes) {
  wire::Hello message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Malformed("hello");
  }
  Hello hello;
  hello.cluster_id = message.cluster_id();
  hello.node_id = message.node_id();
  hello.min_protocol_version = message.min_protocol_version();
  hello.max_protocol_version = message.max_protocol_version();
  hello.labels.insert(message.labels().begin(), message.labels().end());
  hello.subscriptions.assign(message.subscriptions().begin(), message.subscriptions().end());
  hello.store_epoch = message.store_epoch();
  hello.upper_layer = message.upper_layer();
  hello.wall_ms = message.wall_ms();
  if (message.listen_port() > 65535) return Malformed("hello listen port");
  hello.listen_port = static_cast<std::uint16_t>(message.listen_port());
  if (static_cast<std::size_t>(message.peer_hints_size()) > kMaxPeerHints) return Malformed("hello peer hints");
  for (const wire::PeerHint& h : message.peer_hints()) {
    auto hint = DecodePeerHint(h);
    if (!hint.ok()) return hint.status();
    hello.peer_hints.push_back(std::move(hint).value());
  }
  hello.software_version = message.software_version();
  return hello;
}

std::string EncodeHelloAccept(std::uint32_t protocol_version) {
  wire::HelloAccept message;
  message.set_protocol_version(protocol_version);
  return message.SerializeAsString();
}

Result<std::uint32_t> DecodeHelloAccept(std::string_view bytes) {
  wire::HelloAccept message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Malformed("hello accept");
  }
  return message.protocol_version();
}

std::string EncodeRefuse(const std::string& reason) {
  wire::Refuse message;
  message.set_reason(reason);
  return message.SerializeAsString();
}

Result<std::string> DecodeRefuse(std::string_view bytes) {
  wire::Refuse message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Malformed("refuse");
  }
  return message.reason();
}

std::optional<std::uint32_t> NegotiateProtocolVersion(const Hello& local, const Hello& peer) {
  const std::uint32_t low = std::max(local.min_protocol_version, peer.min_protocol_version);
  const std::uint32_t high = std::min(local.max_protocol_version, peer.max_protocol_version);
  if (low > high) return std::nullopt;
  return high;
}

Result<std::uint32_t> CheckPeerHello(const Hello& local, const Hello& peer,
                                              const std::optional<CertifiedIdentity>& certified) {
  if (peer.node_id.empty()) return Refused("hello carries no node id");
  if (peer.node_id == local.node_id) {
    return Refused("peer claims our own node id '" + peer.node_id + "'");
  }
  if (peer.cluster_id != local.cluster_id) {
    return Refused("cluster id mismatch: peer says '" + peer.cluster_id + "', we are '" +
                   local.cluster_id + "'");
  }
  if (certified) {
    if (peer.node_id != certified->node_id) {
      return Refused("hello node id '" + peer.node_id + "' differs from certificate node id '" +
                     certified->node_id + "'");
    }
    if (certified->cluster_id != local.cluster_id) {
      return Refused("certificate cluster id '" + certified->cluster_id + "' differs from ours '" +
                     local.cluster_id + "'");
    }
  }
  if (peer.min_protocol_version > peer.max_protocol_version) {
    return Refused("hello protocol range is empty");
  }
  const auto version = NegotiateProtocolVersion(local, peer);
  if (!version) {
    return Refused("no common protocol version: peer supports " +
                   std::to_string(peer.min_protocol_version) + ".." +
                   std::to_string(peer.max_protocol_version) + ", we support " +
                   std::to_string(local.min_protocol_version) + ".." +
                   std::to_string(local.max_protocol_version));
  }
  return *version;
}

}  // namespace edgesync::transport
