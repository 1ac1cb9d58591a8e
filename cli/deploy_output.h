// Human output of `edgesync deploy ...` and `edgesync release`. Pure functions of the daemon's JSON result.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace edgesync {

void PrintDeployment(const nlohmann::json& result, std::ostream& out);
void PrintDeployments(const nlohmann::json& result, std::ostream& out);
// `deploy rm` and `deploy retry`: one line saying what happened.
void PrintDeployCommand(const nlohmann::json& result, std::ostream& out);
void PrintRelease(const nlohmann::json& result, std::ostream& out);

}  // namespace edgesync
