#include "syncd/bandwidth_tables.h"

#include <algorithm>
#include <map>
#include <string>

#include "syncd/config_keys.h"

namespace edgesync {
namespace {

// The strings of one table, by field; anything but a string, or a field not in `fields`, is an
// error naming it.
Result<std::map<std::string, std::string>> StringFields(const TomlValue& value,
                                                        std::initializer_list<std::string_view> fields) {
  const auto* table = value.node.as_table();
  if (!table) return value.MustBe("an array of tables");
  std::map<std::string, std::string> out;
  for (const auto& [name, node] : *table) {
    const std::string field(name.str()), full = std::string(value.key) + "." + field;
    TomlValue entry{node, value.source, full, value.base_dir};
    if (std::find(fields.begin(), fields.end(), field) == fields.end())
      return Status::InvalidArgument(entry.Where() + ": unknown key '" + full + "'");
    const auto* text = node.as_string();
    if (!text) return entry.MustBe("a string");
    out[field] = text->get();
  }
  return out;
}

const toml::array* TablesOf(const TomlValue& value) {
  const auto* array = value.node.as_array();
  return array && (array->empty() || array->is_array_of_tables()) ? array : nullptr;
}

std::string Field(const std::map<std::string, std::string>& fields, const std::string& name) {
  auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second;
}

}  // namespace

Status ReadRateSchedule(const TomlValue& value, std::vector<limits::RateWindow>* out) {
  const toml::array* tables = TablesOf(value);
  if (!tables) return value.MustBe("[[" + std::string(value.key) + "]] tables");
  std::vector<limits::RateWindow> windows;
  for (const toml::node& element : *tables) {
    TomlValue window{element, value.source, value.key, value.base_dir};
    auto fields = StringFields(window, {"days", "from", "to", "send", "recv"});
    if (!fields.ok()) return fields.status();
    for (const char* required : {"days", "from", "to"})
      if (!fields->count(required)) return window.MustBe(std::string("a table with ") + required);
    auto parsed = limits::MakeRateWindow((*fields)["days"], (*fields)["from"], (*fields)["to"],
                                         Field(*fields, "send"), Field(*fields, "recv"));
    if (!parsed.ok()) return window.Invalid(parsed.status());
    windows.push_back(*parsed);
  }
  if (Status valid = limits::ValidateSchedule(windows); !valid.ok()) return value.Invalid(valid);
  *out = std::move(windows);
  return Status::Ok();
}

Status ReadPeerRates(const TomlValue& value, std::vector<limits::PeerRateOverride>* out) {
  const toml::array* tables = TablesOf(value);
  if (!tables) return value.MustBe("[[" + std::string(value.key) + "]] tables");
  std::vector<limits::PeerRateOverride> overrides;
  for (const toml::node& element : *tables) {
    TomlValue entry{element, value.source, value.key, value.base_dir};
    auto fields = StringFields(entry, {"node", "labels", "send", "recv"});
    if (!fields.ok()) return fields.status();
    limits::PeerRateOverride o;
    o.node_id = Field(*fields, "node");
    const std::string labels = Field(*fields, "labels");
    if (o.node_id.empty() == labels.empty()) return entry.MustBe("a table with either node or labels");
    for (size_t start = 0; !labels.empty() && start <= labels.size();) {
      size_t comma = labels.find(',', start);
      if (comma == std::string::npos) comma = labels.size();
      const std::string item = labels.substr(start, comma - start);
      const size_t eq = item.find('=');
      if (eq == 0 || eq == std::string::npos)
        return entry.Invalid(
            Status::InvalidArgument("labels '" + labels + "' must be key=value[,key=value...]"));
      o.selector[item.substr(0, eq)] = item.substr(eq + 1);
      start = comma + 1;
    }
    for (auto [name, rate] : {std::pair{"send", &o.send}, std::pair{"recv", &o.recv}}) {
      if (!fields->count(name)) continue;
      auto parsed = limits::ParseRate((*fields)[name]);
      if (!parsed.ok()) return entry.Invalid(parsed.status());
      *rate = *parsed;
    }
    if (!o.send && !o.recv) return entry.MustBe("a table with send and/or recv");
    overrides.push_back(std::move(o));
  }
  *out = std::move(overrides);
  return Status::Ok();
}

Result<limits::PriorityRule> ParsePriorityRule(std::string_view text) {
  const size_t eq = text.rfind('=');
  if (eq == std::string_view::npos || eq == 0)
    return Status::InvalidArgument("priority '" + std::string(text) +
                                   "' must be glob=class (e.g. model/*=urgent)");
  auto cls = limits::ParsePriorityClass(text.substr(eq + 1));
  if (!cls.ok()) return cls.status();
  return limits::PriorityRule{std::string(text.substr(0, eq)), *cls};
}

}  // namespace edgesync
