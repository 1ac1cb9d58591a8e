#include "syncd/replication_commands.h"

#include <algorithm>
#include <chrono>

#include "syncd/command_params.h"
#include "syncd/wait_target.h"

namespace edgesync {
namespace {

using nlohmann::json;

json PeerJson(const replication::PeerStatus& peer) {
  uint64_t lag = peer.peer_latest > peer.checkpoint ? peer.peer_latest - peer.checkpoint : 0;
  return json{{"node_id", peer.node_id},     {"address", peer.address},
              {"role", peer.role},           {"labels", peer.labels},
              {"connected", peer.connected},
              {"last_seen_ms", peer.last_seen_ms}, {"bytes_in", peer.bytes_in},
              {"bytes_out", peer.bytes_out}, {"checkpoint", peer.checkpoint},
              {"peer_latest", peer.peer_latest}, {"lag", lag},
              {"transfers", peer.transfers},
              {"clock_skew_ms", peer.clock_skew_ms ? json(*peer.clock_skew_ms) : json(nullptr)}};
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
  json unserved = json::array();
  for (const json& u : UnservedJson(network.replicator()))
    if (u["key"] == text) unserved.push_back(u);
  return json{{"key", text}, {"nodes", nodes}, {"unserved", unserved}};
}

constexpr uint64_t kDefaultWaitMs = 60'000;
constexpr auto kWaitPoll = std::chrono::milliseconds(100);

// Waits until the fleet holds a version as `target` asks, the timeout passes, or the client goes.
Result<json> Wait(PeerNetwork& network, const json& params, CommandContext& context) {
  Result<ObjectKey> key = RequireKey(params);
  if (!key.ok()) return key.status();
  Result<std::string> version = RequireString(params, "version");
  if (!version.ok()) return version.status();
  Result<std::string> target_text = RequireString(params, "target");
  if (!target_text.ok()) return target_text.status();
  Result<WaitTarget> target = WaitTarget::Parse(*target_text);
  if (!target.ok()) return target.status();
  uint64_t timeout_ms = kDefaultWaitMs;
  if (params.contains("timeout_ms")) {
    if (!params["timeout_ms"].is_number_unsigned()) {
      return Status::InvalidArgument("timeout_ms must be a non-negative integer");
    }
    timeout_ms = params["timeout_ms"].get<uint64_t>();
  }
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + std::chrono::milliseconds(timeout_ms);
  WaitProgress progress;
  while (true) {
    progress = Evaluate(*target, network.replicator().Holding(key->str(), *version));
    if (progress.met || std::chrono::steady_clock::now() >= deadline) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (context.cancellation->WaitFor(std::min<std::chrono::milliseconds>(kWaitPoll, left))) {
      return Status::Aborted("wait cancelled");
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return json{{"key", key->str()},          {"version", *version},
              {"target", target->ToString()}, {"met", progress.met},
              {"holders", progress.holders}, {"missing", progress.missing},
              {"summary", progress.summary}, {"seconds", seconds},
              {"timeout_ms", timeout_ms}};
}

}  // namespace

json UnservedJson(replication::Replicator& replicator) {
  json out = json::array();
  for (const auto& u : replicator.Unserved()) {
    out.push_back({{"key", u.key},
                   {"version", u.version_id},
                   {"state", "cannot be served"},
                   {"reason", u.reason},
                   {"since_ms", u.since_ms}});
  }
  return out;
}

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
  dispatcher.Register("wait", CommandLane::kLongRunning,
                      [&network](const json& params, CommandContext& context) {
                        return Wait(network, params, context);
                      });
}

}  // namespace edgesync
