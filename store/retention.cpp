#include "store/retention.h"

#include <fnmatch.h>

#include <algorithm>

#include "store/hlc.h"

namespace edgesync {
namespace {

// The newest non-head version every head descends from (or equals): what a merge of the heads
// of a key in conflict compares against. Null when the key has one head or no such version.
const VersionRecord* ConflictAncestor(const std::vector<VersionRecord>& newest_first,
                                      const std::vector<VersionRecord>& heads) {
  if (heads.size() < 2) return nullptr;
  for (const VersionRecord& v : newest_first) {
    bool below_all = std::all_of(heads.begin(), heads.end(), [&](const VersionRecord& h) {
      VectorOrder order = h.vector.Compare(v.vector);
      return order == VectorOrder::kDominates || order == VectorOrder::kEqual;
    });
    if (below_all) return &v;
  }
  return nullptr;
}

bool IsHead(const VersionRecord& v, const std::vector<VersionRecord>& heads) {
  return std::any_of(heads.begin(), heads.end(), [&](const VersionRecord& h) { return h.vector == v.vector; });
}

}  // namespace

const RetentionRule& RetentionPolicy::For(const std::string& key) const {
  for (const auto& [glob, rule] : overrides) {
    if (::fnmatch(glob.c_str(), key.c_str(), 0) == 0) return rule;
  }
  return defaults;
}

std::vector<RetentionVerdict> DecideRetention(const std::string& key, std::vector<VersionRecord> versions,
                                              const RetentionRule& rule, const RetentionFacts& facts) {
  std::sort(versions.begin(), versions.end(), [](const auto& a, const auto& b) { return a.hlc > b.hlc; });
  const VersionRecord* ancestor = ConflictAncestor(versions, facts.heads);
  std::vector<RetentionVerdict> out;
  out.reserve(versions.size());
  for (size_t i = 0; i < versions.size(); ++i) {
    RetentionVerdict verdict;
    verdict.record = versions[i];
    verdict.version_id = versions[i].Id(key);
    const VersionRecord& v = versions[i];
    // Pinned and held first: the disk quota reads them to know what it may not evict.
    if (!v.tombstone && facts.pinned_manifests.count(v.manifest_id)) verdict.why = "pinned";
    else if (facts.held.count(verdict.version_id)) verdict.why = "held";
    else if (IsHead(v, facts.heads)) verdict.why = "head";
    else if (&v == ancestor) verdict.why = "conflict ancestor";
    verdict.is_protected = !verdict.why.empty();
    if (!verdict.is_protected) {
      const uint64_t expires = rule.keep_for_ms ? HlcMillis(v.hlc) + rule.keep_for_ms : 0;
      if (i >= rule.keep_versions) {
        verdict.keep = false;
        verdict.why = "beyond keep_versions " + std::to_string(rule.keep_versions);
      } else if (expires && expires <= facts.now_ms) {
        verdict.keep = false;
        verdict.why = "older than keep_for";
      } else {
        verdict.why = "newest " + std::to_string(rule.keep_versions);
        verdict.drops_after_versions = static_cast<uint32_t>(rule.keep_versions - i);
        verdict.drops_at_ms = expires;
      }
    }
    out.push_back(std::move(verdict));
  }
  return out;
}

}  // namespace edgesync
