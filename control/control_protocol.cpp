#include "control/control_protocol.h"

#include "base/json_depth.h"

namespace edgesync {
namespace {

using nlohmann::json;

bool IsValidId(const json& id) { return id.is_number_integer() || id.is_string(); }

std::string Line(const json& object) {
  // Invalid UTF-8 (e.g. from a file name) is replaced rather than failing the whole response.
  return object.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

bool ParseControlRequest(std::string_view line, ControlRequest* request,
                         RequestParseError* error) {
  if (!JsonDepthWithin(line)) {
    error->message = "request is nested too deeply";
    return false;
  }
  json parsed = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    error->message = "request is not a JSON object";
    return false;
  }
  if (parsed.contains("id") && IsValidId(parsed["id"])) error->id = parsed["id"];
  if (!parsed.contains("id") || !IsValidId(parsed["id"])) {
    error->message = "request needs an \"id\" (integer or string)";
    return false;
  }
  if (!parsed.contains("method") || !parsed["method"].is_string()) {
    error->message = "request needs a \"method\" string";
    return false;
  }
  if (parsed.contains("params") && !parsed["params"].is_object()) {
    error->message = "\"params\" must be an object";
    return false;
  }
  request->id = parsed["id"];
  request->method = parsed["method"].get<std::string>();
  request->params = parsed.value("params", json::object());
  return true;
}

std::string EncodeControlRequest(const ControlRequest& request) {
  return Line({{"id", request.id}, {"method", request.method}, {"params", request.params}});
}

std::string EncodeResult(const json& id, const json& result) {
  return Line({{"id", id}, {"ok", true}, {"result", result}});
}

std::string EncodeError(const json& id, std::string_view code, std::string_view message) {
  return Line({{"id", id}, {"ok", false}, {"error", {{"code", code}, {"message", message}}}});
}

std::string EncodeError(const json& id, const Status& status) {
  return EncodeError(id, Status::CodeName(status.code()), status.message());
}

std::string EncodeProgress(const json& id, const json& progress) {
  return Line({{"id", id}, {"progress", progress}});
}

std::string EncodeEvent(const json& id, const json& event) {
  return Line({{"id", id}, {"event", event}});
}

Result<ControlResponse> ParseControlResponse(std::string_view line) {
  json parsed = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("id")) {
    return Status::Corruption("daemon sent a line that is not a response: " +
                              std::string(line.substr(0, 200)));
  }
  ControlResponse response;
  response.id = parsed["id"];
  if (parsed.contains("progress")) {
    response.kind = ControlResponse::Kind::kProgress;
    response.body = parsed["progress"];
  } else if (parsed.contains("event")) {
    response.kind = ControlResponse::Kind::kEvent;
    response.body = parsed["event"];
  } else if (parsed.value("ok", false)) {
    response.kind = ControlResponse::Kind::kResult;
    response.body = parsed.value("result", json::object());
  } else {
    response.kind = ControlResponse::Kind::kError;
    const json& err = parsed.contains("error") ? parsed["error"] : json::object();
    response.error_code = err.value("code", "unknown");
    response.error_message = err.value("message", "");
  }
  return response;
}

}  // namespace edgesync
