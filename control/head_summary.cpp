#include "control/head_summary.h"

#include <optional>

#include "catalog/spec_diff.h"
#include "control/store_commands.h"

namespace edgesync {
namespace {

using nlohmann::json;

// The newest retained version every head has seen (each head dominates or equals it).
std::optional<VersionInfo> CommonAncestor(Store& store, const ObjectKey& key,
                                          const std::vector<VersionInfo>& heads) {
  Result<std::vector<VersionInfo>> history = store.History(key);
  if (!history.ok()) return std::nullopt;
  for (const VersionInfo& candidate : *history) {
    bool seen_by_all = true;
    for (const VersionInfo& head : heads) {
      VectorOrder order = head.record.vector.Compare(candidate.record.vector);
      if (order != VectorOrder::kDominates) seen_by_all = false;
    }
    if (seen_by_all) return candidate;
  }
  return std::nullopt;
}

std::optional<Manifest> ManifestOf(Store& store, const VersionInfo& version) {
  if (version.record.tombstone) return std::nullopt;
  Result<Manifest> manifest = store.ReadManifest(version.record.manifest_id);
  if (!manifest.ok()) return std::nullopt;
  return std::move(*manifest);
}

// "deleted", or the spec and file differences of `after` relative to `before`.
json Changes(const std::optional<Manifest>& before, const VersionInfo& head,
             const std::optional<Manifest>& after) {
  json changes = json::array();
  if (head.record.tombstone) {
    changes.push_back("deleted");
    return changes;
  }
  if (!after) return changes;
  std::string before_spec = before ? before->spec_json : "{}";
  for (const std::string& line : DiffSpecs(before_spec, after->spec_json)) changes.push_back(line);
  std::vector<FileEntry> none;
  for (const std::string& line : DiffFiles(before ? before->files : none, after->files)) {
    changes.push_back(line);
  }
  return changes;
}

}  // namespace

Result<json> SummarizeHeads(Store& store, const ObjectKey& key,
                            const std::vector<VersionInfo>& heads) {
  if (heads.size() < 2) return Status::FailedPrecondition(key.str() + " has no conflict");
  std::optional<VersionInfo> ancestor = CommonAncestor(store, key, heads);
  std::optional<Manifest> ancestor_manifest;
  if (ancestor) ancestor_manifest = ManifestOf(store, *ancestor);
  json list = json::array();
  for (size_t i = 0; i < heads.size(); ++i) {
    const VersionInfo& head = heads[i];
    std::optional<Manifest> manifest = ManifestOf(store, head);
    json entry = VersionJson(head);
    if (ancestor) {
      entry["against"] = ancestor->id;
      entry["changes"] = Changes(ancestor_manifest, head, manifest);
    } else {
      const VersionInfo& other = heads[i == 0 ? 1 : 0];
      entry["against"] = other.id;
      entry["changes"] = Changes(ManifestOf(store, other), head, manifest);
    }
    if (manifest) {
      json spec = json::parse(manifest->spec_json, nullptr, false);
      if (spec.is_object() && spec.contains("metrics")) entry["metrics"] = spec["metrics"];
    }
    list.push_back(std::move(entry));
  }
  return json{{"ancestor", ancestor ? json(ancestor->id) : json(nullptr)}, {"heads", list}};
}

}  // namespace edgesync
