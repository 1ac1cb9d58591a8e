// Feeds arbitrary bytes to the control socket as one request line, then checks its params the
// way the method's handler would before touching the store: keys, strings, absolute paths, the
// --wait target, the select query, conflict policies of the policy document, timeouts. The
// handlers themselves are not run: with fuzzed paths they would read and write anywhere.
// A line that parses must survive an encode/parse round trip; one that does not must still yield
// an error line the CLI can read back with the same id.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "conflict/policy.h"
#include "catalog/model_query.h"
#include "control/command_params.h"
#include "control/control_protocol.h"
#include "control/wait_target.h"

namespace {

using edgesync::Result;
using nlohmann::json;

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckWaitParams(const json& params) {
  (void)edgesync::RequireString(params, "version");
  Result<std::string> text = edgesync::RequireString(params, "target");
  if (text.ok()) {
    Result<edgesync::WaitTarget> target = edgesync::WaitTarget::Parse(*text);
    if (target.ok()) {
      Result<edgesync::WaitTarget> again = edgesync::WaitTarget::Parse(target->ToString());
      Check(again.ok() && again->ToString() == target->ToString());
    }
  }
  auto timeout = params.find("timeout_ms");
  if (timeout != params.end() && timeout->is_number_unsigned()) (void)timeout->get<uint64_t>();
}

void CheckSelectParams(const json& params) {
  auto query = params.find("query");
  if (query == params.end() || !query->is_array()) return;
  std::vector<std::string> words;
  for (const json& word : *query) {
    if (!word.is_string()) return;
    words.push_back(word.get<std::string>());
  }
  (void)edgesync::ModelQuery::Parse(words);
}

void CheckMetaParams(const json& params) {
  auto fields = params.find("fields");
  if (fields == params.end() || !fields->is_object()) return;
  for (const auto& [pattern, value] : fields->items()) {
    if (value.is_string()) (void)edgesync::conflict::ConflictPolicy::Parse(value.get<std::string>());
  }
}

void CheckParams(const std::string& method, const json& params) {
  // Every method taking a key reads it with RequireKey; path-taking ones add RequireAbsolutePath.
  (void)edgesync::RequireKey(params);
  for (const char* name : {"path", "dest"}) {
    Result<std::filesystem::path> path = edgesync::RequireAbsolutePath(params, name);
    if (path.ok()) Check(path->is_absolute());
  }
  for (const char* name : {"version", "part", "format", "spec", "keep"}) {
    (void)edgesync::OptionalString(params, name);
  }
  for (const char* name : {"strict", "merge", "watch"}) (void)edgesync::OptionalBool(params, name);
  if (method == "wait") CheckWaitParams(params);
  if (method == "select") CheckSelectParams(params);
  if (method == "meta.set") CheckMetaParams(params);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  edgesync::ControlRequest request;
  edgesync::RequestParseError error;
  if (!edgesync::ParseControlRequest(line, &request, &error)) {
    std::string reply = edgesync::EncodeError(error.id, edgesync::kErrorBadRequest, error.message);
    reply.pop_back();  // the '\n'
    Result<edgesync::ControlResponse> response = edgesync::ParseControlResponse(reply);
    Check(response.ok() && response->kind == edgesync::ControlResponse::Kind::kError &&
          response->id == error.id);
    return 0;
  }
  std::string encoded = edgesync::EncodeControlRequest(request);
  encoded.pop_back();
  edgesync::ControlRequest again;
  Check(edgesync::ParseControlRequest(encoded, &again, &error));
  Check(again.id == request.id && again.method == request.method && again.params == request.params);
  CheckParams(request.method, request.params);
  return 0;
}
