// Human output of the replication commands of the edgesync CLI (peers, resync, where).
// Pure functions of the daemon's JSON result.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace edgesync {

void PrintPeers(const nlohmann::json& result, std::ostream& out);
void PrintResync(const nlohmann::json& result, std::ostream& out);
void PrintWhere(const nlohmann::json& result, std::ostream& out);

}  // namespace edgesync
