// SpecDiff: a one-line human summary of what changed between two versions of an object,
// e.g. "metrics.mAP 0.78 -> 0.81; +labels.2 plane; +2 files".
//
// Specs are compared leaf by leaf (objects flattened to dotted paths, lists compared whole).
// Metadata documents are compared on their live view, so stamps do not show up as changes.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "store/manifest.h"

namespace edgesync {

// Summary of `after` relative to `before`; `before == nullptr` describes a first version.
std::string SummarizeChange(const Manifest* before, const Manifest& after);

// Only the spec part: "a 1 -> 2", "+b 3", "-c"; an empty vector when the specs are equal.
std::vector<std::string> DiffSpecs(const std::string& before_json, const std::string& after_json);

// Only the files part: "+2 files", "-1 file", "3 files changed"; empty when equal.
std::vector<std::string> DiffFiles(const std::vector<FileEntry>& before,
                                   const std::vector<FileEntry>& after);

}  // namespace edgesync
