// Human output of the conflict and metadata commands of the edgesync CLI (conflicts, resolve,
// meta get). Pure functions of the daemon's JSON result.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace edgesync {

void PrintConflicts(const nlohmann::json& result, std::ostream& out);
void PrintResolved(const nlohmann::json& result, std::ostream& out);
void PrintMetaDocument(const nlohmann::json& result, std::ostream& out);

}  // namespace edgesync
