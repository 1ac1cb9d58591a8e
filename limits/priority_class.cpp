#include "limits/priority_class.h"

#include <fnmatch.h>

namespace edgesync::limits {

const char* PriorityClassName(PriorityClass cls) {
  switch (cls) {
    case PriorityClass::kUrgent: return "urgent";
    case PriorityClass::kBulk: return "bulk";
    case PriorityClass::kNormal: break;
  }
  return "normal";
}

Result<PriorityClass> ParsePriorityClass(std::string_view text) {
  for (PriorityClass cls : {PriorityClass::kUrgent, PriorityClass::kNormal, PriorityClass::kBulk})
    if (text == PriorityClassName(cls)) return cls;
  return Status::InvalidArgument("unknown priority class '" + std::string(text) +
                                 "' (urgent, normal or bulk)");
}

PriorityClass ClassOf(const std::vector<PriorityRule>& rules, std::string_view key) {
  const std::string text(key);
  for (const PriorityRule& rule : rules)
    if (fnmatch(rule.glob.c_str(), text.c_str(), 0) == 0) return rule.cls;
  return PriorityClass::kNormal;
}

}  // namespace edgesync::limits
