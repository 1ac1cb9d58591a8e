// Human output of `edgesync deploy ...`, `release` and `rollout status`. Pure functions of the daemon's JSON result.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace edgesync {

void PrintDeployment(const nlohmann::json& result, std::ostream& out);
void PrintDeployments(const nlohmann::json& result, std::ostream& out);
// `deploy rm` and `deploy retry`: one line saying what happened.
void PrintDeployCommand(const nlohmann::json& result, std::ostream& out);
void PrintRelease(const nlohmann::json& result, std::ostream& out);
// `rollout status`: one row per node and deployment.
void PrintRolloutStatus(const nlohmann::json& result, std::ostream& out);
// True when a node reports the key's deployment failed or rolled back.
bool RolloutHasFailures(const nlohmann::json& result);

}  // namespace edgesync
