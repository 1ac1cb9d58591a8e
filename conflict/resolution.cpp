#include "conflict/resolution.h"

#include <nlohmann/json.hpp>

#include "catalog/metadata_document.h"
#include "catalog/model_spec.h"

namespace edgesync::conflict {
namespace {

// The metric of a model head in its direction (higher is better after the sign flip), or
// nullopt when the head does not carry it.
std::optional<double> Score(const Head& h, const std::string& metric) {
  if (h.record.tombstone) return std::nullopt;
  auto spec = ModelSpec::Parse(h.manifest.spec_json);
  if (!spec.ok()) return std::nullopt;
  auto it = spec->metrics.find(metric);
  if (it == spec->metrics.end()) return std::nullopt;
  return it->second.direction == MetricDirection::kLowerIsBetter ? -it->second.value : it->second.value;
}

bool LwwLess(const Head& a, const Head& b) {
  if (a.record.hlc != b.record.hlc) return a.record.hlc < b.record.hlc;
  return a.record.author < b.record.author;
}

}  // namespace

const Head& LwwWinner(const std::vector<Head>& heads) {
  const Head* best = &heads.front();
  for (const auto& h : heads)
    if (LwwLess(*best, h)) best = &h;
  return *best;
}

Result<std::optional<Resolution>> Resolve(const ConflictPolicy& policy, const std::vector<Head>& heads) {
  if (heads.size() < 2 || policy.kind == ConflictPolicy::Kind::kKeepBoth) return std::optional<Resolution>();
  Resolution r;
  for (const auto& h : heads) {
    r.record.vector.MergeFrom(h.record.vector);
    r.record.hlc = std::max(r.record.hlc, h.record.hlc);
  }
  r.record.author = kResolvedAuthor;

  const Head* winner = &LwwWinner(heads);
  bool any_tombstone = false;
  for (const auto& h : heads) any_tombstone |= h.record.tombstone;

  if (policy.kind == ConflictPolicy::Kind::kBestMetric && !winner->record.tombstone) {
    // A tombstone against a live version follows lww (handled by keeping the lww winner when it
    // is a tombstone); among live heads the better metric wins, a missing metric loses, ties
    // fall back to lww.
    const Head* best = nullptr;
    std::optional<double> best_score;
    for (const auto& h : heads) {
      if (h.record.tombstone) continue;
      auto s = Score(h, policy.metric);
      bool better = !best ||
                    (s && !best_score) ||
                    (s && best_score && *s > *best_score) ||
                    (s.has_value() == best_score.has_value() && (!s || *s == *best_score) && LwwLess(*best, h));
      if (better) {
        best = &h;
        best_score = s;
      }
    }
    winner = best;
  }

  if (policy.kind == ConflictPolicy::Kind::kMerge && !any_tombstone) {
    MetadataDocument merged;
    for (const auto& h : heads) {
      auto doc = MetadataDocument::Parse(h.manifest.spec_json);
      if (!doc.ok()) return doc.status().WithContext("merging version " + h.id);
      merged = MergeDocuments(merged, *doc);
    }
    r.manifest.spec_json = merged.ToCanonicalJson();
    r.manifest.files = winner->manifest.files;  // documents have no files; keep lww's if any
    r.winner = "merge";
  } else {
    r.record.tombstone = winner->record.tombstone;
    r.manifest = winner->manifest;
    r.winner = winner->id;
  }
  if (!r.record.tombstone) r.record.manifest_id = ManifestId(r.manifest.Encode());
  return std::optional<Resolution>(std::move(r));
}

}  // namespace edgesync::conflict
