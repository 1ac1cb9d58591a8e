#include "cli/meta_fields.h"

namespace edgesync {

Result<nlohmann::json> ParseFieldAssignments(const std::vector<std::string>& words) {
  nlohmann::json fields = nlohmann::json::object();
  for (const std::string& word : words) {
    size_t eq = word.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("'" + word + "' is not field=value");
    }
    std::string name = word.substr(0, eq);
    std::string text = word.substr(eq + 1);
    nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
    fields[name] = value.is_discarded() || text.empty() ? nlohmann::json(text) : value;
  }
  return fields;
}

std::string FieldValueText(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace edgesync
