#include "conflict/conflict_monitor.h"

#include "catalog/metadata_document.h"

namespace edgesync::conflict {

ConflictMonitor::ConflictMonitor(Store& store, RunBlocking run_blocking, Log log)
    : store_(store), run_blocking_(std::move(run_blocking)), log_(std::move(log)) {
  store_.AddChangeListener([this](const Change& change) { OnChange(change); });
}

void ConflictMonitor::OnChange(const Change& change) {
  if (change.key == PolicyTable::kDocumentKey) {
    // A new policy may resolve conflicts that were waiting for a human.
    run_blocking_([this] {
      auto open = OpenConflicts();
      if (!open.ok()) return;
      for (const auto& c : *open) ResolveKey(c.key);
    });
  }
  if (change.heads.size() < 2) return;
  run_blocking_([this, key = change.key] {
    auto r = ResolveKey(key);
    if (!r.ok()) log_(3, "resolving " + key + ": " + r.status().ToString());
  });
}

Result<PolicyTable> ConflictMonitor::CurrentPolicies() {
  // While the policy document itself has concurrent heads, every node reads the field-wise
  // merge of all of them, so all nodes apply the same rules before it is resolved.
  auto key = ObjectKey::Parse(PolicyTable::kDocumentKey);
  auto heads = store_.Heads(*key);
  if (heads.status().IsNotFound()) return PolicyTable();
  if (!heads.ok()) return heads.status();
  MetadataDocument merged;
  for (const auto& h : *heads) {
    if (h.record.tombstone) continue;
    auto spec = store_.ReadSpec(h.record.manifest_id);
    if (!spec.ok()) return spec.status();
    auto doc = MetadataDocument::Parse(*spec);
    if (!doc.ok()) return doc.status().WithContext(PolicyTable::kDocumentKey);
    merged = MergeDocuments(merged, *doc);
  }
  return PolicyTable::FromDocumentView(merged.View().dump());
}

Result<std::optional<Resolution>> ConflictMonitor::ResolveKey(const std::string& key_text) {
  auto policies = CurrentPolicies();
  if (!policies.ok()) return policies.status();
  return ResolveKeyWith(key_text, policies->For(key_text));
}

Result<std::optional<Resolution>> ConflictMonitor::ResolveKeyWith(const std::string& key_text,
                                                                  const ConflictPolicy& policy) {
  auto key = ObjectKey::Parse(key_text);
  if (!key.ok()) return key.status();
  auto heads = store_.Heads(*key);
  if (heads.status().IsNotFound()) return std::optional<Resolution>();
  if (!heads.ok()) return heads.status();
  if (heads->size() < 2) return std::optional<Resolution>();
  std::vector<Head> input;
  for (const auto& h : *heads) {
    Head head{h.id, h.record, {}};
    if (!h.record.tombstone) {
      auto m = store_.ReadManifest(h.record.manifest_id);
      if (!m.ok()) return m.status();
      head.manifest = std::move(m).value();
    }
    input.push_back(std::move(head));
  }
  auto resolution = Resolve(policy, input);
  if (!resolution.ok() || !resolution->has_value()) return resolution;
  const Resolution& r = **resolution;
  // A resolution brings no new bytes: on a node that holds only some parts of a model
  // (selective sync), it covers exactly the files this node holds.
  Store::FileFilter held = [this](const FileEntry& f) {
    for (const auto& c : f.chunks) {
      auto present = store_.chunks().Contains(c.id);
      if (!present.ok() || !*present) return false;
    }
    return true;
  };
  auto applied = store_.ApplyRemote(*key, r.record, r.manifest, held);
  if (!applied.ok()) return applied.status();
  if (*applied)
    log_(6, "resolved " + key_text + " (" + std::to_string(input.size()) + " heads) by " + policy.ToString() +
                ": " + (r.winner == "merge" ? std::string("merged fields") : "kept " + r.winner) +
                " as version " + r.record.Id(key_text));
  return resolution;
}

Result<std::vector<OpenConflict>> ConflictMonitor::OpenConflicts() {
  auto policies = CurrentPolicies();
  if (!policies.ok()) return policies.status();
  std::vector<OpenConflict> out;
  uint64_t seq = 0;
  for (;;) {
    auto changes = store_.ChangesSince(seq, 1024);
    if (!changes.ok()) return changes.status();
    if (changes->empty()) break;
    for (const auto& c : *changes) {
      seq = c.seq;
      if (c.heads.size() < 2) continue;
      OpenConflict conflict{c.key, policies->For(c.key).ToString(), {}};
      for (const auto& h : c.heads) conflict.heads.push_back({c.key, h.Id(c.key), h});
      out.push_back(std::move(conflict));
    }
  }
  return out;
}

}  // namespace edgesync::conflict
