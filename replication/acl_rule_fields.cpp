#include "replication/acl_rule_fields.h"

#include <fnmatch.h>

#include <algorithm>

#include "replication/write_acl.h"

namespace edgesync::replication {

Result<const nlohmann::json*> AclRuleList(const nlohmann::json& view) {
  if (!view.is_object() || !view.contains("rules"))
    return Status::InvalidArgument(std::string(kWriteAclKey) + " has no \"rules\" field");
  const auto& list = view.at("rules");
  if (!list.is_array() || list.size() > kMaxAclRules)
    return Status::InvalidArgument(std::string(kWriteAclKey) + ": \"rules\" must be a list of at most " +
                                   std::to_string(kMaxAclRules) + " rules");
  return &list;
}

Result<std::vector<std::string>> AclStringList(const nlohmann::json& rule, const char* field,
                                               const std::string& where) {
  const Status wrong = Status::InvalidArgument(where + ": \"" + field + "\" must be a non-empty list of strings");
  auto it = rule.find(field);
  if (it == rule.end() || !it->is_array() || it->empty() || it->size() > kMaxAclRuleEntries) return wrong;
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 512) return wrong;
    out.push_back(v.get<std::string>());
  }
  return out;
}

bool AnyGlobMatches(const std::vector<std::string>& globs, const std::string& key) {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& g) { return fnmatch(g.c_str(), key.c_str(), 0) == 0; });
}

bool ListsRole(const std::vector<std::string>& roles, const std::string& role) {
  return std::any_of(roles.begin(), roles.end(), [&](const std::string& r) { return r == "*" || r == role; });
}

std::string JoinAclList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

}  // namespace edgesync::replication
