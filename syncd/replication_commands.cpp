#include "syncd/replication_commands.h"

#include "syncd/command_params.h"

namespace edgesync {
namespace {

using nlohmann::json;

json PeerJson(const replication::PeerStatus& peer) {
  uint64_t lag = peer.peer_latest > peer.checkpoint ? peer.peer_latest - peer.checkpoint : 0;
  return json{{"node_id", peer.node_id},     {"address", peer.address},
              {"role", peer.role},           {"connected", peer.connected},
              {"last_seen_ms", peer.last_seen_ms}, {"bytes_in", peer.bytes_in},
              {"bytes_out", peer.bytes_out}, {"checkpoint", peer.checkpoint},
              {"peer_latest", peer.peer_latest}, {"lag", lag},
              {"transfers", peer.transfers}};
}

Result<json> Peers(PeerNetwork& network) {
  json peers = json::array();
  for (const auto& peer : network.replicator().Peers()) peers.push_back(PeerJson(peer));
  json refused = json::array();
  for (const LinkRefusal& r : network.RecentRefusals()) {
    refused.push_back(
        {{"address", r.address}, {"reason", r.reason}, {"at_ms", r.at_ms}, {"count", r.count}});
  }
  Result<size_t> pending = network.replicator().PendingCount();
  if (!pending.ok()) return pending.status();
  return json{{"networking", network.networking()},
              {"peers", peers},
              {"refused", refused},
              {"active_transfers", network.replicator().ActiveTransfers()},
              {"pending_versions", *pending}};
}

Result<json> Where(PeerNetwork& network, const json& params) {
  Result<ObjectKey> key = RequireKey(params);
  if (!key.ok()) return key.status();
  const std::string& text = key->str();
  json nodes = json::array();
  for (const auto& location : network.replicator().Where(text)) {
    nodes.push_back({{"node_id", location.node_id},
                     {"local", location.local},
                     {"versions", location.version_ids}});
  }
  return json{{"key", text}, {"nodes", nodes}};
}

}  // namespace

void RegisterReplicationCommands(CommandDispatcher& dispatcher, PeerNetwork& network) {
  dispatcher.Register("peers", CommandLane::kQuick,
                      [&network](const json&, CommandContext&) { return Peers(network); });
  dispatcher.Register("resync", CommandLane::kQuick,
                      [&network](const json&, CommandContext&) -> Result<json> {
                        Result<size_t> asked = network.replicator().Resync();
                        if (!asked.ok()) return asked.status();
                        return json{{"peers_asked", *asked}};
                      });
  dispatcher.Register("where", CommandLane::kQuick,
                      [&network](const json& params, CommandContext&) {
                        return Where(network, params);
                      });
}

}  // namespace edgesync
