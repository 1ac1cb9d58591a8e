// Release rules: which version of a model a channel names, for which nodes. They live in the
// replicated metadata document `meta/releases` (written with `edgesync release`, so one
// command on any node the write ACL allows moves the fleet), one field per rule:
//   "<key>@<channel>"                      -> {"version": V, "at_ms": T}   every node
//   "<key>@<channel>@site=a,role=edge"     -> {"version": V, "at_ms": T}   nodes with those labels
// A node's version of a channel is the newest (`at_ms`) rule that applies to it: a canary
// release scoped to one site wins there until a newer fleet-wide one promotes it (or another).
//
// A release scheduled with `--at` carries its activation time and the value it replaces:
//   {"version": V, "at_ms": T, "activate_ms": A, "before": {"version": V0, "at_ms": T0}}
// Until A the rule counts as `before` (or not at all when there was none); from A on, as V.
// Nodes fetch and stage V at once, so activation is only the switch.
// Pure functions; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
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
  uint64_t at_ms = 0;        // when the release was made (orders rules)
  uint64_t activate_ms = 0;  // when it takes effect (0: at once)
  // The value in force until activate_ms ("" version: none).
  std::string before_version;
  uint64_t before_at_ms = 0;
};

// What a channel names for a node now, and the scheduled release that will replace it.
struct ChannelTarget {
  std::optional<ReleaseRule> now;   // nullopt: no rule applies yet
  std::optional<ReleaseRule> next;  // a release activating later that will win then
};

// InvalidArgument for a bad channel name or label.
Status ValidateReleaseRule(const ReleaseRule& rule);
// The field name and value of a rule in the document.
std::string ReleaseFieldName(const ReleaseRule& rule);
nlohmann::json ReleaseFieldValue(const ReleaseRule& rule);
// Sets rule.before_* from the value the field holds now (`current`, possibly null): the
// version it names at `now_ms`. For a release scheduled for later.
void ScheduleAfter(ReleaseRule* rule, const nlohmann::json& current, uint64_t now_ms);

// What `channel` of `key` names at `now_ms` for a node with `labels`, from the document's
// fields. Fields that are not rules are ignored.
ChannelTarget ResolveRelease(const nlohmann::json& fields, const std::string& key, const std::string& channel,
                             const std::map<std::string, std::string>& labels, uint64_t now_ms);

// Every version some rule of the document names, now, before its activation or scheduled, by
// key, whatever labels the rule is for: retention keeps them (checkout/retention_holds.h).
std::map<std::string, std::set<std::string>> ReleasedVersions(const nlohmann::json& fields);

}  // namespace edgesync
