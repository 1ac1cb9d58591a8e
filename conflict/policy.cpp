#include "conflict/policy.h"

#include <fnmatch.h>

#include <nlohmann/json.hpp>

namespace edgesync::conflict {

Result<ConflictPolicy> ConflictPolicy::Parse(const std::string& text) {
  ConflictPolicy p;
  if (text == "merge") p.kind = Kind::kMerge;
  else if (text == "lww") p.kind = Kind::kLww;
  else if (text == "keep-both") p.kind = Kind::kKeepBoth;
  else if (text.rfind("best-metric:", 0) == 0 && text.size() > 12) {
    p.kind = Kind::kBestMetric;
    p.metric = text.substr(12);
  } else {
    return Status::InvalidArgument("unknown conflict policy '" + text +
                                   "' (expected merge, lww, best-metric:<metric> or keep-both)");
  }
  return p;
}

std::string ConflictPolicy::ToString() const {
  switch (kind) {
    case Kind::kMerge: return "merge";
    case Kind::kLww: return "lww";
    case Kind::kBestMetric: return "best-metric:" + metric;
    case Kind::kKeepBoth: return "keep-both";
  }
  return "keep-both";
}

Result<PolicyTable> PolicyTable::FromDocumentView(const std::string& view_json) {
  PolicyTable table;
  auto view = nlohmann::json::parse(view_json, nullptr, false);
  if (!view.is_object()) return Status::InvalidArgument(std::string(kDocumentKey) + " is not a JSON object");
  for (const auto& [pattern, value] : view.items()) {
    if (!value.is_string())
      return Status::InvalidArgument(std::string(kDocumentKey) + " field '" + pattern + "' is not a string");
    auto policy = ConflictPolicy::Parse(value.get<std::string>());
    if (!policy.ok()) return policy.status().WithContext(std::string(kDocumentKey) + " field '" + pattern + "'");
    table.rules_.emplace_back(pattern, *policy);
  }
  return table;
}

ConflictPolicy PolicyTable::For(const std::string& key) const {
  const std::string kind = key.substr(0, key.find('/'));
  const ConflictPolicy* best = nullptr;
  size_t best_len = 0;
  const ConflictPolicy* by_kind = nullptr;
  for (const auto& [pattern, policy] : rules_) {
    if (pattern == kind) by_kind = &policy;
    else if (fnmatch(pattern.c_str(), key.c_str(), 0) == 0 && pattern.size() >= best_len) {
      best = &policy;
      best_len = pattern.size();
    }
  }
  if (best) return *best;
  if (by_kind) return *by_kind;
  return kind == "meta" ? ConflictPolicy{ConflictPolicy::Kind::kMerge, ""} : ConflictPolicy{};
}

}  // namespace edgesync::conflict
