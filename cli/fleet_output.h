// Human output of `edgesync fleet` (the JSON answer is printed as is with --json).
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace edgesync {

void PrintFleet(const nlohmann::json& result, std::ostream& out);

}  // namespace edgesync
