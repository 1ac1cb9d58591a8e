// Release rules: which version of a model a channel names, for which nodes. They live in the
// replicated metadata document `meta/releases` (written with `edgesync release`, so one
// command on any node the write ACL allows moves the fleet), one field per rule:
//   "<key>@<channel>"                      -> {"version": V, "at_ms": T}   every node
//   "<key>@<channel>@site=a,role=edge"     -> {"version": V, "at_ms": T}   nodes with those labels
// A node's version of a channel is the newest (`at_ms`) rule that applies to it: a canary
// release scoped to one site wins there until a newer fleet-wide one promotes it (or another).
// Pure functions; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace edgesync {

inline constexpr char kReleasesDocument[] = "meta/releases";

struct ReleaseRule {
  std::string key;
  std::string channel;  // [a-z0-9._-], 1-64
  std::map<std::string, std::string> where;  // labels a node must all have; empty: every node
  std::string version;
  uint64_t at_ms = 0;
};

// InvalidArgument for a bad channel name or label.
Status ValidateReleaseRule(const ReleaseRule& rule);
// The field name and value of a rule in the document.
std::string ReleaseFieldName(const ReleaseRule& rule);
nlohmann::json ReleaseFieldValue(const ReleaseRule& rule);

// The version `channel` of `key` names for a node with `labels`, from the document's fields;
// nullopt when no rule applies. Fields that are not rules are ignored.
std::optional<ReleaseRule> ResolveRelease(const nlohmann::json& fields, const std::string& key,
                                          const std::string& channel,
                                          const std::map<std::string, std::string>& labels);

}  // namespace edgesync
