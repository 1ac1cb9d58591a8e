#include "control/replication_commands.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>

#include "control/command_params.h"
#include "control/wait_target.h"

namespace edgesync {
namespace {

using nlohmann::json;

json PeerJson(const replication::PeerStatus& peer) {
  uint64_t lag = peer.peer_latest > peer.checkpoint ? peer.peer_latest - peer.checkpoint : 0;
  return json{{"node_id", peer.node_id},     {"address", peer.address},
              {"role", peer.role},           {"labels", peer.labels},
              {"connected", peer.connected},
              {"last_seen_ms", peer.last_seen_ms}, {"bytes_in", peer.bytes_in},
              {"bytes_out", peer.bytes_out}, {"bytes_in_total", peer.bytes_in_total},
              {"bytes_out_total", peer.bytes_out_total}, {"checkpoint", peer.checkpoint},
              {"peer_latest", peer.peer_latest}, {"lag", lag},
              {"transfers", peer.transfers},
              {"version", peer.software_version},
              {"clock_skew_ms", peer.clock_skew_ms ? json(*peer.clock_skew_ms) : json(nullptr)}};
}

Result<json> Peers(PeerLinks& network) {
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

Result<json> Where(PeerLinks& network, const FleetSource& fleet, const json& params) {
  Result<ObjectKey> key = RequireKey(params);
  if (!key.ok()) return key.status();
  const std::string& text = key->str();
  json nodes = json::array();
  std::set<std::string> listed;
  for (const auto& location : network.replicator().Where(text)) {
    listed.insert(location.node_id);
    nodes.push_back({{"node_id", location.node_id},
                     {"local", location.local},
                     {"versions", location.version_ids}});
  }
  // Nodes past the direct peers, from their records (fleet/): what they said they hold, and when.
  Result<std::vector<FleetNode>> recorded = fleet ? fleet() : std::vector<FleetNode>();
  if (!recorded.ok()) return recorded.status();
  for (const FleetNode& node : *recorded) {
    auto held = node.record.holdings.find(text);
    if (listed.count(node.record.node_id) || held == node.record.holdings.end()) continue;
    nodes.push_back({{"node_id", node.record.node_id},
                     {"local", false},
                     {"versions", held->second},
                     {"reported", true},
                     {"age_ms", node.age_ms},
                     {"stale", node.stale}});
  }
  json unserved = json::array();
  for (const json& u : UnservedJson(network.replicator()))
    if (u["key"] == text) unserved.push_back(u);
  return json{{"key", text}, {"nodes", nodes}, {"unserved", unserved}};
}

constexpr uint64_t kDefaultWaitMs = 60'000;
constexpr auto kWaitPoll = std::chrono::milliseconds(100);
constexpr auto kRecordRefresh = std::chrono::seconds(1);
constexpr uint64_t kMaxWaitMs = 24ull * 3600 * 1000;

// The optional `timeout_ms` param: at most a day, so a deadline computed from it cannot overflow.
Result<uint64_t> TimeoutMs(const json& params) {
  if (!params.contains("timeout_ms")) return kDefaultWaitMs;
  if (!params["timeout_ms"].is_number_unsigned() || params["timeout_ms"].get<uint64_t>() > kMaxWaitMs)
    return Status::InvalidArgument("timeout_ms must be an integer from 0 to " + std::to_string(kMaxWaitMs));
  return params["timeout_ms"].get<uint64_t>();
}

// Waits until the fleet holds a version as `target` asks, the timeout passes, or the client goes.
Result<json> Wait(PeerLinks& network, const FleetSource& fleet, const std::string& self, const json& params,
                  CommandContext& context) {
  Result<ObjectKey> key = RequireKey(params);
  if (!key.ok()) return key.status();
  Result<std::string> version = RequireString(params, "version");
  if (!version.ok()) return version.status();
  Result<std::string> target_text = RequireString(params, "target");
  if (!target_text.ok()) return target_text.status();
  Result<WaitTarget> target = WaitTarget::Parse(*target_text);
  if (!target.ok()) return target.status();
  Result<uint64_t> timeout_ms = TimeoutMs(params);
  if (!timeout_ms.ok()) return timeout_ms.status();
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + std::chrono::milliseconds(*timeout_ms);
  WaitProgress progress;
  std::vector<FleetNode> recorded;
  std::optional<std::chrono::steady_clock::time_point> recorded_at;
  while (true) {
    // Node records change at most once a second each: read them that often, not every poll.
    if (fleet && (!recorded_at || std::chrono::steady_clock::now() - *recorded_at >= kRecordRefresh)) {
      Result<std::vector<FleetNode>> read = fleet();
      if (read.ok()) recorded = std::move(read).value();
      recorded_at = std::chrono::steady_clock::now();
    }
    progress = Evaluate(*target, WithRecordedHolders(network.replicator().Holding(key->str(), *version), recorded,
                                                     key->str(), *version, self));
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
              {"timeout_ms", *timeout_ms}};
}

// Runs a resync and waits (until the timeout) for the peers' logs to be read to their end and
// for the fetches they started; reports per peer what was compared, fetched or still missing.
Result<json> Resync(PeerLinks& network, const json& params, CommandContext& context) {
  replication::ResyncScope scope;
  for (auto [field, target] : {std::pair{"peer", &scope.peer}, std::pair{"key", &scope.key_glob}}) {
    if (!params.contains(field)) continue;
    if (!params[field].is_string() || params[field].get<std::string>().empty())
      return Status::InvalidArgument(std::string(field) + " must be a non-empty string");
    *target = params[field].get<std::string>();
  }
  Result<uint64_t> timeout_ms = TimeoutMs(params);
  if (!timeout_ms.ok()) return timeout_ms.status();
  replication::Replicator& replicator = network.replicator();
  Result<std::vector<std::string>> asked = replicator.Resync(scope);
  if (!asked.ok()) return asked.status();
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + std::chrono::milliseconds(*timeout_ms);
  std::vector<replication::ResyncReport> reports;
  std::set<std::string> active;  // keys with a transfer still running
  while (true) {
    reports = replicator.ResyncReports(*asked);
    active.clear();
    for (const auto& t : replicator.Transfers()) active.insert(t.key);
    bool settled = true;
    for (const auto& r : reports) {
      const bool fetching = std::any_of(r.fetching.begin(), r.fetching.end(),
                                        [&](const std::string& key) { return active.count(key) > 0; });
      if ((r.connected && !r.done) || fetching) settled = false;
    }
    if (settled || std::chrono::steady_clock::now() >= deadline) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (context.cancellation->WaitFor(std::min<std::chrono::milliseconds>(kWaitPoll, left)))
      return Status::Aborted("resync cancelled");
  }
  std::set<std::string> unserved;
  for (const auto& u : replicator.Unserved()) unserved.insert(u.key);
  json peers = json::array();
  for (const auto& r : reports) {
    json fixed = json::array(), fetching = json::array(), cannot = json::array();
    for (const auto& key : r.fetching) {
      if (active.count(key)) fetching.push_back(key);
      else (unserved.count(key) ? cannot : fixed).push_back(key);
    }
    peers.push_back({{"node_id", r.node_id},        {"connected", r.connected},
                     {"done", r.done},              {"keys_compared", r.keys_compared},
                     {"in_sync", r.in_sync},        {"fixed", fixed},
                     {"fetching", fetching},        {"unserved", cannot}});
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return json{{"peers", peers}, {"peers_asked", asked->size()}, {"seconds", seconds}};
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

void RegisterReplicationCommands(CommandDispatcher& dispatcher, PeerLinks& network, FleetSource fleet,
                                 std::string self) {
  dispatcher.Register("peers", CommandLane::kQuick,
                      [&network](const json&, CommandContext&) { return Peers(network); });
  dispatcher.Register("resync", CommandLane::kLongRunning,
                      [&network](const json& params, CommandContext& context) {
                        return Resync(network, params, context);
                      });
  dispatcher.Register("where", CommandLane::kQuick,
                      [&network, fleet](const json& params, CommandContext&) {
                        return Where(network, fleet, params);
                      });
  dispatcher.Register("wait", CommandLane::kLongRunning,
                      [&network, fleet, self](const json& params, CommandContext& context) {
                        return Wait(network, fleet, self, params, context);
                      });
}

}  // namespace edgesync
