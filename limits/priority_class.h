// Transfer priorities (sync.priorities): key globs mapped to the classes urgent, normal and bulk.
// A receiver asks for chunks of higher classes first and a sender serves them first.
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace edgesync::limits {

// Lower values go first. The numbers travel in chunk requests; keep them.
enum class PriorityClass : uint8_t { kUrgent = 0, kNormal = 1, kBulk = 2 };

const char* PriorityClassName(PriorityClass cls);
// "urgent", "normal" or "bulk"; anything else is an error naming the three.
Result<PriorityClass> ParsePriorityClass(std::string_view text);

struct PriorityRule {
  std::string glob;  // fnmatch, '*' crosses '/', as subscriptions
  PriorityClass cls = PriorityClass::kNormal;
  bool operator==(const PriorityRule&) const = default;
};

// The class of the first rule whose glob matches `key`; normal when none does.
PriorityClass ClassOf(const std::vector<PriorityRule>& rules, std::string_view key);

}  // namespace edgesync::limits
