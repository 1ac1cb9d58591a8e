#include "syncd/peers/peer_commands.h"

#include "control/command_params.h"

namespace edgesync {
namespace {

using nlohmann::json;

json AddressList(const std::vector<PeerAddress>& peers) {
  json list = json::array();
  for (const PeerAddress& peer : peers) list.push_back(peer.ToString());
  return list;
}

json PeerLists(PeerNetwork& network) {
  return {{"static", AddressList(network.static_peers())}, {"runtime", AddressList(network.runtime_peers())}};
}

// Runs `change` on the "address" param, answering with both lists.
Result<json> ChangePeers(PeerNetwork& network, const json& params,
                         Status (PeerNetwork::*change)(const PeerAddress&)) {
  Result<std::string> text = RequireString(params, "address");
  if (!text.ok()) return text.status();
  Result<PeerAddress> peer = PeerAddress::Parse(*text);
  if (!peer.ok()) return peer.status();
  EDGESYNC_RETURN_IF_ERROR((network.*change)(*peer));
  json answer = PeerLists(network);
  answer["address"] = peer->ToString();
  return answer;
}

}  // namespace

void RegisterPeerCommands(CommandDispatcher& dispatcher, PeerNetwork& network) {
  dispatcher.Register("peers.add", CommandLane::kQuick, [&network](const json& params, CommandContext&) {
    return ChangePeers(network, params, &PeerNetwork::AddPeer);
  });
  dispatcher.Register("peers.rm", CommandLane::kQuick, [&network](const json& params, CommandContext&) {
    return ChangePeers(network, params, &PeerNetwork::RemovePeer);
  });
  dispatcher.Register(
      "peers.ls", CommandLane::kQuick,
      [&network](const json&, CommandContext&) -> Result<json> { return PeerLists(network); });
}

}  // namespace edgesync
