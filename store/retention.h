// Retention: which of a key's stored versions the store keeps, and why.
//
// A policy keeps, per key, the newest `keep_versions` versions (by HLC, heads included) that
// are younger than `keep_for` (0: no age limit); a per-glob rule (first match wins) replaces
// both numbers for the keys it matches. Whatever the numbers say, a version is never dropped
// while it is a head, pinned (its manifest has a live pin: checkouts, transfers), held by a
// layer above (deployed, a deployment's staged or scheduled target, a channel target in
// meta/releases: Store::SetRetentionHolds), or the common ancestor of the heads of a key in
// conflict (the newest version every head descends from, which a three-way merge needs).
//
// DecideRetention is a pure function (thread-safe); the store applies it at each commit of the
// key and over every key in Store::EnforceRetention (age), and shows it in Store::RetentionPlan.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "store/chunk_id.h"
#include "store/version_record.h"

namespace edgesync {

struct RetentionRule {
  uint32_t keep_versions = 10;  // at least 1
  uint64_t keep_for_ms = 0;     // 0: versions do not age out

  bool operator==(const RetentionRule&) const = default;
};

struct RetentionPolicy {
  RetentionRule defaults;
  // (key glob, rule): fnmatch without FNM_PATHNAME, so `*` crosses '/'. First match wins.
  std::vector<std::pair<std::string, RetentionRule>> overrides;

  const RetentionRule& For(const std::string& key) const;
  bool operator==(const RetentionPolicy&) const = default;
};

// What the store knows about a key besides its versions when it decides.
struct RetentionFacts {
  std::vector<VersionRecord> heads;
  std::set<ChunkId> pinned_manifests;  // manifests with a live pin
  std::set<std::string> held;          // version ids the layers above keep (SetRetentionHolds)
  uint64_t now_ms = 0;
};

// The fate of one stored version.
struct RetentionVerdict {
  std::string version_id;
  VersionRecord record;
  bool keep = true;
  // Why (the first that applies): "pinned", "held", "head", "conflict ancestor", "newest N",
  // or for a drop
  // "beyond keep_versions N" / "older than keep_for".
  std::string why;
  bool is_protected = false;  // head, pinned, held or conflict ancestor: numbers do not apply
  // For an unprotected version that is kept: how many newer versions push it out of
  // keep_versions, and when it becomes older than keep_for (0: never).
  uint32_t drops_after_versions = 0;
  uint64_t drops_at_ms = 0;
};

// The verdict for each of `versions` (any order; answered newest HLC first).
std::vector<RetentionVerdict> DecideRetention(const std::string& key, std::vector<VersionRecord> versions,
                                              const RetentionRule& rule, const RetentionFacts& facts);

}  // namespace edgesync
