// Reading `edgesync meta set` arguments: `field=value` words become a JSON object. A value is
// JSON when it parses as JSON (`4`, `true`, `[1,2]`, `"x"`), else the plain string. The field
// name ends at the first '=' (so `model/helmet*=best-metric:mAP` names `model/helmet*`).
// Pure functions.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace edgesync {

Result<nlohmann::json> ParseFieldAssignments(const std::vector<std::string>& words);

// A field value as shown to people: strings bare, everything else as compact JSON.
std::string FieldValueText(const nlohmann::json& value);

}  // namespace edgesync
