// Human output of the edgesync CLI: one formatter per command result, aligned tables for
// lists. (--json output prints the daemon's result object as is.) Pure functions of the JSON.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace edgesync {

void PrintStatus(const nlohmann::json& result, std::ostream& out);
void PrintObjectList(const nlohmann::json& result, std::ostream& out);
// One page of a paged `ls`: the table's header only on the first page.
void PrintObjectListPage(const nlohmann::json& result, bool first_page, std::ostream& out);
void PrintObjectDetails(const nlohmann::json& result, std::ostream& out);
void PrintHistory(const nlohmann::json& result, std::ostream& out);
void PrintSelection(const nlohmann::json& result, std::ostream& out);
void PrintGc(const nlohmann::json& result, std::ostream& out);
void PrintApplied(const nlohmann::json& result, std::ostream& out);
// put / rm / rollback: "<verb> <key> -> version <id>" plus sizes and rate when present.
void PrintVersionWritten(const char* verb, const nlohmann::json& result, std::ostream& out);
void PrintGet(const nlohmann::json& result, std::ostream& out);
void PrintExport(const nlohmann::json& result, std::ostream& out);
void PrintCheckout(const nlohmann::json& result, std::ostream& out);

}  // namespace edgesync
