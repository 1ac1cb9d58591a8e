#include "checkout/release_rules.h"

#include <cctype>
#include <sstream>

namespace edgesync {
namespace {

bool ValidWord(const std::string& word) {
  if (word.empty() || word.size() > 64) return false;
  for (char c : word)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

// Parses "<key>@<channel>[@k=v,k=v]".
std::optional<ReleaseRule> ParseField(const std::string& name, const nlohmann::json& value) {
  const size_t first = name.find('@');
  if (first == std::string::npos || !value.is_object() || !value.contains("version") || !value["version"].is_string())
    return std::nullopt;
  ReleaseRule rule;
  rule.key = name.substr(0, first);
  const std::string rest = name.substr(first + 1);
  const size_t second = rest.find('@');
  rule.channel = rest.substr(0, second);
  if (second != std::string::npos) {
    std::stringstream labels(rest.substr(second + 1));
    for (std::string pair; std::getline(labels, pair, ',');) {
      const size_t eq = pair.find('=');
      if (eq == std::string::npos) return std::nullopt;
      rule.where[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
  }
  rule.version = value["version"].get<std::string>();
  rule.at_ms = value.value("at_ms", uint64_t{0});
  rule.activate_ms = value.value("activate_ms", uint64_t{0});
  const nlohmann::json before = value.value("before", nlohmann::json::object());
  if (before.is_object() && before.contains("version") && before["version"].is_string()) {
    rule.before_version = before["version"].get<std::string>();
    rule.before_at_ms = before.value("at_ms", uint64_t{0});
  }
  return rule;
}

// The rule as it counts at `now_ms`: itself once active, its `before` value until then
// (nullopt when there was none).
std::optional<ReleaseRule> InForce(const ReleaseRule& rule, uint64_t now_ms) {
  if (rule.activate_ms <= now_ms) return rule;
  if (rule.before_version.empty()) return std::nullopt;
  ReleaseRule before = rule;
  before.version = rule.before_version;
  before.at_ms = rule.before_at_ms;
  before.activate_ms = 0;
  before.before_version.clear();
  return before;
}

bool Newer(const ReleaseRule& a, const std::optional<ReleaseRule>& b) {
  return !b || a.at_ms > b->at_ms || (a.at_ms == b->at_ms && a.version > b->version);
}

}  // namespace

Status ValidateReleaseRule(const ReleaseRule& rule) {
  if (!ValidWord(rule.channel))
    return Status::InvalidArgument("channel '" + rule.channel + "' must be 1-64 of [A-Za-z0-9._-]");
  for (const auto& [label, value] : rule.where)
    if (!ValidWord(label) || !ValidWord(value))
      return Status::InvalidArgument("--where " + label + "=" + value + ": labels and values are 1-64 of [A-Za-z0-9._-]");
  if (rule.version.empty()) return Status::InvalidArgument("a release names a version");
  return Status::Ok();
}

std::string ReleaseFieldName(const ReleaseRule& rule) {
  std::string name = rule.key + "@" + rule.channel;
  if (!rule.where.empty()) {
    name += "@";
    bool first = true;
    for (const auto& [label, value] : rule.where) {  // map order: one name per label set
      name += (first ? "" : ",") + label + "=" + value;
      first = false;
    }
  }
  return name;
}

nlohmann::json ReleaseFieldValue(const ReleaseRule& rule) {
  nlohmann::json value = {{"version", rule.version}, {"at_ms", rule.at_ms}};
  if (rule.activate_ms == 0) return value;
  value["activate_ms"] = rule.activate_ms;
  if (!rule.before_version.empty())
    value["before"] = {{"version", rule.before_version}, {"at_ms", rule.before_at_ms}};
  return value;
}

void ScheduleAfter(ReleaseRule* rule, const nlohmann::json& current, uint64_t now_ms) {
  rule->before_version.clear();
  rule->before_at_ms = 0;
  std::optional<ReleaseRule> old = ParseField(ReleaseFieldName(*rule), current);
  if (!old) return;
  std::optional<ReleaseRule> in_force = InForce(*old, now_ms);
  if (!in_force) return;
  rule->before_version = in_force->version;
  rule->before_at_ms = in_force->at_ms;
}

ChannelTarget ResolveRelease(const nlohmann::json& fields, const std::string& key, const std::string& channel,
                             const std::map<std::string, std::string>& labels, uint64_t now_ms) {
  ChannelTarget target;
  if (!fields.is_object()) return target;
  for (const auto& [name, value] : fields.items()) {
    std::optional<ReleaseRule> rule = ParseField(name, value);
    if (!rule || rule->key != key || rule->channel != channel) continue;
    bool applies = true;
    for (const auto& [label, wanted] : rule->where) {
      auto it = labels.find(label);
      applies = applies && it != labels.end() && it->second == wanted;
    }
    if (!applies) continue;
    if (rule->activate_ms > now_ms && Newer(*rule, target.next)) target.next = rule;
    std::optional<ReleaseRule> in_force = InForce(*rule, now_ms);
    if (in_force && Newer(*in_force, target.now)) target.now = std::move(in_force);
  }
  // A scheduled release that would not win when it activates changes nothing here.
  if (target.next && target.now && !Newer(*target.next, target.now)) target.next.reset();
  return target;
}

std::map<std::string, std::set<std::string>> ReleasedVersions(const nlohmann::json& fields) {
  std::map<std::string, std::set<std::string>> out;
  if (!fields.is_object()) return out;
  for (const auto& [name, value] : fields.items()) {
    std::optional<ReleaseRule> rule = ParseField(name, value);
    if (!rule) continue;
    out[rule->key].insert(rule->version);
    if (!rule->before_version.empty()) out[rule->key].insert(rule->before_version);
  }
  return out;
}

}  // namespace edgesync
