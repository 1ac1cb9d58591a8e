// The control socket's wire format (docs/control-protocol.md): one JSON object per line.
//
//   request   {"id": <any JSON scalar>, "method": "ls", "params": {...}}
//   progress  {"id": ..., "progress": {...}}          zero or more, before the final line
//   event     {"id": ..., "event": {...}}             long-running requests (checkout --watch)
//   result    {"id": ..., "ok": true, "result": {...}}
//   error     {"id": ..., "ok": false, "error": {"code": "not_found", "message": "..."}}
//
// Knows nothing of commands or sockets; the server and the CLI both use it. Pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace edgesync {

inline constexpr size_t kMaxControlLineBytes = 1u << 20;

// Error codes beyond Status::CodeName(): problems with the request itself.
inline constexpr const char* kErrorBadRequest = "bad_request";
inline constexpr const char* kErrorUnknownMethod = "unknown_method";
inline constexpr const char* kErrorBusy = "busy";
inline constexpr const char* kErrorShuttingDown = "shutting_down";

struct ControlRequest {
  nlohmann::json id;  // echoed in every line answering the request
  std::string method;
  nlohmann::json params = nlohmann::json::object();
};

// A request line that failed to parse still yields the id when one could be read, so the error
// can be correlated.
struct RequestParseError {
  nlohmann::json id;
  std::string message;
};

// Parses one line (without its '\n'). On failure fills *error and returns false.
bool ParseControlRequest(std::string_view line, ControlRequest* request, RequestParseError* error);

// Each returns one line including the trailing '\n'.
std::string EncodeControlRequest(const ControlRequest& request);
std::string EncodeResult(const nlohmann::json& id, const nlohmann::json& result);
std::string EncodeError(const nlohmann::json& id, std::string_view code, std::string_view message);
std::string EncodeError(const nlohmann::json& id, const Status& status);
std::string EncodeProgress(const nlohmann::json& id, const nlohmann::json& progress);
std::string EncodeEvent(const nlohmann::json& id, const nlohmann::json& event);

// A parsed response line, as the client sees it.
struct ControlResponse {
  enum class Kind { kProgress, kEvent, kResult, kError };
  Kind kind = Kind::kResult;
  nlohmann::json id;
  nlohmann::json body;  // progress, event or result object
  std::string error_code;
  std::string error_message;
};

Result<ControlResponse> ParseControlResponse(std::string_view line);

}  // namespace edgesync
