#include "replication/write_acl.h"

#include "replication/acl_rule_fields.h"

namespace edgesync::replication {

Result<WriteAcl> WriteAcl::FromDocument(const nlohmann::json& view) {
  auto found = AclRuleList(view);
  if (!found.ok()) return found.status();
  const nlohmann::json& list = **found;
  std::vector<WriteRule> rules;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string where = std::string(kWriteAclKey) + " rule " + std::to_string(i + 1);
    const auto& r = list[i];
    if (!r.is_object()) return Status::InvalidArgument(where + " is not an object");
    if (r.value("allow", nlohmann::json()) == "read") continue;  // ReadAcl's
    for (const auto& [field, value] : r.items())
      if (field != "roles" && field != "keys" && field != "allow")
        return Status::InvalidArgument(where + ": unknown field \"" + field + "\"");
    if (r.value("allow", nlohmann::json()) != "write")
      return Status::InvalidArgument(where + ": \"allow\" must be \"write\" or \"read\"");
    auto roles = AclStringList(r, "roles", where);
    if (!roles.ok()) return roles.status();
    auto keys = AclStringList(r, "keys", where);
    if (!keys.ok()) return keys.status();
    rules.push_back({std::move(roles).value(), std::move(keys).value(), i + 1});
  }
  return WriteAcl(Mode::kRules, std::move(rules), {});
}

std::string NodeOwnerOf(const std::string& key) {
  constexpr std::string_view kMeta = "meta/";
  if (key.compare(0, kMeta.size(), kMeta) != 0) return "";
  const size_t slash = key.find('/', kMeta.size());
  if (slash == std::string::npos || key.find('/', slash + 1) != std::string::npos) return "";
  const std::string_view ns(key.data() + kMeta.size(), slash - kMeta.size());
  for (const char* owned : kNodeOwnedNamespaces)
    if (ns == owned) return key.substr(slash + 1);
  return "";
}

Status WriteAcl::CheckWriter(const std::string& role, const std::string& node_id, const std::string& key) const {
  const std::string owner = NodeOwnerOf(key);
  if (owner.empty()) return Check(role, key);
  if (node_id == owner) return Status::Ok();
  return Status::PermissionDenied(
      (node_id.empty() ? std::string("a writer whose node is not verified") : "node " + node_id) + " may not write " +
      key + ": it is node " + owner + "'s own document, written only by that node");
}

Status WriteAcl::Check(const std::string& role, const std::string& key) const {
  const std::string who = "role '" + (role.empty() ? std::string("(none)") : role) + "'";
  if (key == kWriteAclKey) {
    if (role == kAdminRole) return Status::Ok();
    return Status::PermissionDenied(who + " may not write " + key + ": only a certificate with role '" +
                                    kAdminRole + "' may change the write ACL");
  }
  switch (mode_) {
    case Mode::kOpen: return Status::Ok();
    case Mode::kAdminOnly:
      if (role == kAdminRole) return Status::Ok();
      return Status::PermissionDenied(who + " may not write " + key + ": " + kWriteAclKey +
                                      " is unusable (" + reason_ + "), so only role '" + kAdminRole + "' may write");
    case Mode::kRules: break;
  }
  std::string covering;  // rules that match the key but not the role, for the message
  for (const WriteRule& rule : rules_) {
    if (!AnyGlobMatches(rule.keys, key)) continue;
    if (ListsRole(rule.roles, role)) return Status::Ok();
    covering += (covering.empty() ? "" : "; ") + std::string("rule ") + std::to_string(rule.number) + " (keys " +
                JoinAclList(rule.keys) + ") allows roles " + JoinAclList(rule.roles);
  }
  if (covering.empty())
    return Status::PermissionDenied(who + " may not write " + key + ": no rule of " + kWriteAclKey +
                                    " covers this key");
  return Status::PermissionDenied(who + " may not write " + key + ": " + kWriteAclKey + " " + covering);
}

std::string WriteAcl::Describe() const {
  switch (mode_) {
    case Mode::kOpen: return "open (no " + std::string(kWriteAclKey) + " document: every role may write every key)";
    case Mode::kAdminOnly: return "admin only (" + reason_ + ")";
    case Mode::kRules: break;
  }
  return std::to_string(rules_.size()) + " rule(s) from " + kWriteAclKey;
}

}  // namespace edgesync::replication
