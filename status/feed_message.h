// What every status feed message starts with (docs/status-protocol.md): its type, the schema
// version and a timestamp. Shared by the feed's source files; pure functions.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

namespace edgesync {

inline nlohmann::json FeedMessage(const char* type, uint64_t ts) { return {{"type", type}, {"v", 1}, {"ts", ts}}; }

}  // namespace edgesync
