// What every status feed message starts with (docs/status-protocol.md): its type, the schema
// version and a timestamp. Shared by the feed's source files; pure functions.
#pragma once

#include <chrono>
#include <cstdint>

#include <nlohmann/json.hpp>

namespace edgesync {

inline uint64_t FeedWallMs() {
  using namespace std::chrono;
  return static_cast<uint64_t>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

inline nlohmann::json FeedMessage(const char* type, uint64_t ts) { return {{"type", type}, {"v", 1}, {"ts", ts}}; }

}  // namespace edgesync
