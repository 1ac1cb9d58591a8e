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
  return rule;
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

nlohmann::json ReleaseFieldValue(const ReleaseRule& rule) { return {{"version", rule.version}, {"at_ms", rule.at_ms}}; }

std::optional<ReleaseRule> ResolveRelease(const nlohmann::json& fields, const std::string& key,
                                          const std::string& channel,
                                          const std::map<std::string, std::string>& labels) {
  std::optional<ReleaseRule> best;
  if (!fields.is_object()) return best;
  for (const auto& [name, value] : fields.items()) {
    std::optional<ReleaseRule> rule = ParseField(name, value);
    if (!rule || rule->key != key || rule->channel != channel) continue;
    bool applies = true;
    for (const auto& [label, wanted] : rule->where) {
      auto it = labels.find(label);
      applies = applies && it != labels.end() && it->second == wanted;
    }
    if (!applies) continue;
    if (!best || rule->at_ms > best->at_ms || (rule->at_ms == best->at_ms && rule->version > best->version))
      best = std::move(rule);
  }
  return best;
}

}  // namespace edgesync
