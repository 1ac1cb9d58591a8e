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
