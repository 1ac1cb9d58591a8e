// Human output of the replication commands of the edgesync CLI (peers, resync, where, wait).
// Pure functions of the daemon's JSON result.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace edgesync {

void PrintPeers(const nlohmann::json& result, std::ostream& out);
// `peers add|rm|ls`: the static and the runtime peer lists.
void PrintPeerLists(const nlohmann::json& result, std::ostream& out);
void PrintResync(const nlohmann::json& result, std::ostream& out);
void PrintWhere(const nlohmann::json& result, std::ostream& out);
// `put --wait`: who holds the new version, or who is missing when the wait timed out.
void PrintWait(const nlohmann::json& result, std::ostream& out);
// One line per version no connected peer can serve (`where`, `status`).
void PrintUnserved(const nlohmann::json& unserved, std::ostream& out);
// `cluster reload`: the links it closed and the credentials' warnings.
void PrintCredentialReload(const nlohmann::json& result, std::ostream& out);
// `cluster token`: the token and the command a new node joins with.
void PrintJoinToken(const nlohmann::json& result, std::ostream& out);

}  // namespace edgesync
