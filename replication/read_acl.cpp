#include "replication/read_acl.h"

#include <algorithm>

#include "replication/acl_rule_fields.h"
#include "replication/write_acl.h"

namespace edgesync::replication {
namespace {

Result<std::map<std::string, std::string>> LabelMap(const nlohmann::json& rule, const std::string& where) {
  const Status wrong = Status::InvalidArgument(where + ": \"labels\" must be a non-empty object of strings");
  const auto& labels = rule.at("labels");
  if (!labels.is_object() || labels.empty() || labels.size() > kMaxAclRuleEntries) return wrong;
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : labels.items()) {
    if (name.empty() || name.size() > 512 || !value.is_string() || value.get<std::string>().size() > 512)
      return wrong;
    out[name] = value.get<std::string>();
  }
  return out;
}

Result<ReadRule> ParseReadRule(const nlohmann::json& r, size_t number) {
  const std::string where = std::string(kWriteAclKey) + " rule " + std::to_string(number);
  for (const auto& [field, value] : r.items())
    if (field != "roles" && field != "labels" && field != "keys" && field != "allow")
      return Status::InvalidArgument(where + ": unknown field \"" + field + "\"");
  if (!r.contains("roles") && !r.contains("labels"))
    return Status::InvalidArgument(where + ": a read rule needs \"roles\", \"labels\" or both");
  ReadRule rule;
  rule.number = number;
  if (r.contains("roles")) {
    auto roles = AclStringList(r, "roles", where);
    if (!roles.ok()) return roles.status();
    rule.roles = std::move(roles).value();
  }
  if (r.contains("labels")) {
    auto labels = LabelMap(r, where);
    if (!labels.ok()) return labels.status();
    rule.labels = std::move(labels).value();
  }
  auto keys = AclStringList(r, "keys", where);
  if (!keys.ok()) return keys.status();
  rule.keys = std::move(keys).value();
  return rule;
}

bool Grants(const ReadRule& rule, const CertifiedReader& reader) {
  if (!rule.roles.empty() && !ListsRole(rule.roles, reader.role)) return false;
  return std::all_of(rule.labels.begin(), rule.labels.end(), [&](const auto& label) {
    auto it = reader.labels.find(label.first);
    return it != reader.labels.end() && it->second == label.second;
  });
}

std::string Who(const CertifiedReader& reader) {
  std::string out = "node " + reader.node_id + " (role '" + reader.role + "'";
  for (const auto& [name, value] : reader.labels) out += ", " + name + "=" + value;
  return out + ")";
}

}  // namespace

Result<ReadAcl> ReadAcl::FromDocument(const nlohmann::json& view) {
  auto found = AclRuleList(view);
  if (!found.ok()) return found.status();
  const nlohmann::json& list = **found;
  std::vector<ReadRule> rules;
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_object() || list[i].value("allow", nlohmann::json()) != "read") continue;  // WriteAcl's
    auto rule = ParseReadRule(list[i], i + 1);
    if (!rule.ok()) return rule.status();
    rules.push_back(std::move(rule).value());
  }
  if (rules.empty()) return Open();
  return ReadAcl(Mode::kRules, std::move(rules), {});
}

Status ReadAcl::Check(const CertifiedReader& reader, const std::string& key) const {
  if (mode_ == Mode::kOpen || key == kWriteAclKey) return Status::Ok();
  if (mode_ == Mode::kClosed)
    return Status::PermissionDenied(Who(reader) + " may not read " + key + ": " + kWriteAclKey +
                                    " is unusable (" + reason_ + "), so nothing but it is served");
  for (const ReadRule& rule : rules_)
    if (AnyGlobMatches(rule.keys, key) && Grants(rule, reader)) return Status::Ok();
  return Status::PermissionDenied(Who(reader) + " may not read " + key + ": no read rule of " +
                                  kWriteAclKey + " grants it");
}

std::string ReadAcl::Describe() const {
  switch (mode_) {
    case Mode::kOpen: return "open (no read rule in " + std::string(kWriteAclKey) + ": every node may read every key)";
    case Mode::kClosed: return "closed (" + reason_ + "): only " + std::string(kWriteAclKey) + " is served";
    case Mode::kRules: break;
  }
  return std::to_string(rules_.size()) + " read rule(s) from " + kWriteAclKey;
}

}  // namespace edgesync::replication
