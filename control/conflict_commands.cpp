#include "control/conflict_commands.h"

#include <algorithm>

#include "control/command_params.h"
#include "control/head_summary.h"
#include "control/store_commands.h"

namespace edgesync {
namespace {

using nlohmann::json;
using conflict::ConflictPolicy;

Result<json> ListConflicts(Store& store, conflict::ConflictMonitor& monitor) {
  Result<std::vector<conflict::OpenConflict>> open = monitor.OpenConflicts();
  if (!open.ok()) return open.status();
  json conflicts = json::array();
  for (const conflict::OpenConflict& c : *open) {
    Result<ObjectKey> key = ObjectKey::Parse(c.key);
    if (!key.ok()) continue;
    Result<std::vector<VersionInfo>> heads = store.Heads(*key);  // current, not as logged
    if (!heads.ok() || heads->size() < 2) continue;  // resolved meanwhile
    Result<json> summary = SummarizeHeads(store, *key, *heads);
    if (!summary.ok()) return summary.status().WithContext(c.key);
    json entry = {{"key", c.key}, {"policy", c.policy}};
    entry.update(*summary);
    conflicts.push_back(std::move(entry));
  }
  Result<std::vector<Store::IdentityClash>> clashes = store.IdentityClashes();
  if (!clashes.ok()) return clashes.status();
  json identity_clashes = json::array();
  for (const Store::IdentityClash& c : *clashes) {
    identity_clashes.push_back({{"key", c.key},
                                {"vector", c.vector},
                                {"local_version", c.local_version},
                                {"refused_version", c.remote_version},
                                {"author", c.remote_author},
                                {"peer", c.peer},
                                {"at_ms", c.at_ms}});
  }
  return json{{"conflicts", conflicts}, {"identity_clashes", identity_clashes}};
}

Result<std::vector<VersionInfo>> ConflictedHeads(Store& store, const ObjectKey& key) {
  Result<std::vector<VersionInfo>> heads = store.Heads(key);
  if (!heads.ok()) return heads.status().WithContext(key.str());
  if (heads->size() < 2) {
    return Status::FailedPrecondition(key.str() + " has one head: there is no conflict");
  }
  return heads;
}

// A new local version with `version_id`'s content (or a delete) that dominates every head.
Result<json> Keep(Store& store, const ObjectKey& key, const std::string& version_id) {
  Result<std::vector<VersionInfo>> heads = ConflictedHeads(store, key);
  if (!heads.ok()) return heads.status();
  auto kept = std::find_if(heads->begin(), heads->end(),
                           [&](const VersionInfo& h) { return h.id == version_id; });
  if (kept == heads->end()) {
    std::string ids;
    for (const VersionInfo& h : *heads) ids += (ids.empty() ? "" : ", ") + h.id;
    return Status::InvalidArgument(version_id + " is not a head of " + key.str() +
                                   " (heads: " + ids + ")");
  }
  // Both commit from the join of all heads plus this node's increment.
  Result<VersionInfo> written =
      kept->record.tombstone ? store.Delete(key) : store.Rollback(key, version_id);
  if (!written.ok()) return written.status().WithContext(key.str());
  json result = VersionJson(*written);
  result["kept"] = version_id;
  result["heads_replaced"] = heads->size();
  return result;
}

// Resolves by the key's policy now; a metadata document under keep-both is merged.
Result<json> ResolveByPolicy(Store& store, conflict::ConflictMonitor& monitor,
                             const ObjectKey& key) {
  Result<std::vector<VersionInfo>> heads = ConflictedHeads(store, key);
  if (!heads.ok()) return heads.status();
  Result<conflict::PolicyTable> policies = monitor.CurrentPolicies();
  if (!policies.ok()) return policies.status();
  ConflictPolicy policy = policies->For(key.str());
  if (policy.kind == ConflictPolicy::Kind::kKeepBoth) {
    if (key.kind() != ObjectKind::kMeta) {
      return Status::FailedPrecondition(key.str() + " is under keep-both: choose a head with "
                                        "`edgesync resolve " + key.str() + " --keep <version>`");
    }
    policy = ConflictPolicy{ConflictPolicy::Kind::kMerge, ""};
  }
  Result<std::optional<conflict::Resolution>> resolution = monitor.ResolveKeyWith(key.str(), policy);
  if (!resolution.ok()) return resolution.status().WithContext(key.str());
  if (!resolution->has_value()) return Status::FailedPrecondition(key.str() + ": nothing to resolve");
  const conflict::Resolution& r = **resolution;
  json result = VersionJson(VersionInfo{key.str(), r.record.Id(key.str()), r.record});
  result["policy"] = policy.ToString();
  result["winner"] = r.winner;
  result["heads_replaced"] = heads->size();
  return result;
}

Result<json> ResolveCommand(Store& store, conflict::ConflictMonitor& monitor, const json& params) {
  Result<ObjectKey> key = RequireKey(params);
  if (!key.ok()) return key.status();
  std::string keep = OptionalString(params, "keep");
  bool merge = OptionalBool(params, "merge");
  if (keep.empty() == !merge) {
    return Status::InvalidArgument("give exactly one of \"keep\" (a version id) or \"merge\": true");
  }
  return merge ? ResolveByPolicy(store, monitor, *key) : Keep(store, *key, keep);
}

}  // namespace

void RegisterConflictCommands(CommandDispatcher& dispatcher, Store& store,
                              conflict::ConflictMonitor& monitor) {
  dispatcher.Register("conflicts", CommandLane::kQuick,
                      [&store, &monitor](const json&, CommandContext&) {
                        return ListConflicts(store, monitor);
                      });
  dispatcher.Register("resolve", CommandLane::kQuick,
                      [&store, &monitor](const json& params, CommandContext&) {
                        return ResolveCommand(store, monitor, params);
                      });
}

}  // namespace edgesync
