// Feeds arbitrary bytes to the token join endpoint's request handling, as a client on the
// network could: every input must come back as a JSON answer refusing it (no token the fuzzer
// can guess is valid), never a crash, a hang or an exception.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "syncd/join/join_request.h"

namespace {

struct Issuer {
  Issuer() {
    char made[] = "/tmp/es-fuzz-join-XXXXXX";
    if (!::mkdtemp(made)) std::abort();
    dir = made;
    auto store = edgesync::JoinTokenStore::Open(dir / "tokens.json");
    auto created = edgesync::transport::CreateClusterCa("fuzz");
    if (!store.ok() || !created.ok()) std::abort();
    tokens = std::move(*store);
    ca = *created;
    if (!tokens->Issue({"edge", {}, 1}, std::chrono::hours(1)).ok()) std::abort();
  }
  ~Issuer() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::filesystem::path dir;
  std::unique_ptr<edgesync::JoinTokenStore> tokens;
  edgesync::transport::ClusterCa ca;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Issuer issuer;
  const std::string_view request(reinterpret_cast<const char*>(data), size);
  edgesync::JoinAnswer answer = edgesync::AnswerJoinRequest(request, *issuer.tokens, issuer.ca);
  if (!answer.refusal) std::abort();
  const nlohmann::json parsed = nlohmann::json::parse(answer.line, nullptr, false);
  if (!parsed.is_object() || parsed.value("ok", true)) std::abort();
  return 0;
}
