#include "replication/write_acl.h"

#include <fnmatch.h>

#include <algorithm>

namespace edgesync::replication {
namespace {

constexpr size_t kMaxRules = 1024;
constexpr size_t kMaxEntries = 256;  // roles or globs per rule

bool Matches(const std::vector<std::string>& globs, const std::string& key) {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& g) { return fnmatch(g.c_str(), key.c_str(), 0) == 0; });
}

bool ListsRole(const std::vector<std::string>& roles, const std::string& role) {
  return std::any_of(roles.begin(), roles.end(), [&](const std::string& r) { return r == "*" || r == role; });
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

Result<std::vector<std::string>> StringList(const nlohmann::json& rule, const char* field, const std::string& where) {
  auto it = rule.find(field);
  if (it == rule.end() || !it->is_array() || it->empty() || it->size() > kMaxEntries)
    return Status::InvalidArgument(where + ": \"" + field + "\" must be a non-empty list of strings");
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 512)
      return Status::InvalidArgument(where + ": \"" + field + "\" must be a non-empty list of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

Result<WriteAcl> WriteAcl::FromDocument(const nlohmann::json& view) {
  if (!view.is_object() || !view.contains("rules"))
    return Status::InvalidArgument(std::string(kWriteAclKey) + " has no \"rules\" field");
  const auto& list = view.at("rules");
  if (!list.is_array() || list.size() > kMaxRules)
    return Status::InvalidArgument(std::string(kWriteAclKey) + ": \"rules\" must be a list of at most " +
                                   std::to_string(kMaxRules) + " rules");
  std::vector<WriteRule> rules;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string where = std::string(kWriteAclKey) + " rule " + std::to_string(i + 1);
    const auto& r = list[i];
    if (!r.is_object()) return Status::InvalidArgument(where + " is not an object");
    for (const auto& [field, value] : r.items())
      if (field != "roles" && field != "keys" && field != "allow")
        return Status::InvalidArgument(where + ": unknown field \"" + field + "\"");
    if (r.value("allow", nlohmann::json()) != "write")
      return Status::InvalidArgument(where + ": \"allow\" must be \"write\"");
    auto roles = StringList(r, "roles", where);
    if (!roles.ok()) return roles.status();
    auto keys = StringList(r, "keys", where);
    if (!keys.ok()) return keys.status();
    rules.push_back({std::move(roles).value(), std::move(keys).value()});
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
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (!Matches(rules_[i].keys, key)) continue;
    if (ListsRole(rules_[i].roles, role)) return Status::Ok();
    covering += (covering.empty() ? "" : "; ") + std::string("rule ") + std::to_string(i + 1) + " (keys " +
                Join(rules_[i].keys) + ") allows roles " + Join(rules_[i].roles);
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
