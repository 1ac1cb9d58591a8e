// Human output of `edgesync limits` (the JSON answer is printed as is with --json).
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace edgesync {

void PrintLimits(const nlohmann::json& result, std::ostream& out);

}  // namespace edgesync
