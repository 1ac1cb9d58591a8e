// The join protocol's one exchange, as pure request handling: a new node sends one line of JSON,
// {"token": "esj1...", "csr": "<PEM>"}, and gets one line back:
// {"ok": true, "cert": "<PEM>", "ca": "<PEM>", "role": ..., "labels": {...}} or
// {"ok": false, "error": "<reason>"}. Anything malformed, oversized or refused is an answer with
// a reason, never a crash.
// Thread-safety: safe for concurrent access (the token store is).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "syncd/join/join_tokens.h"
#include "transport/identity.h"

namespace edgesync {

// The longest request line the endpoint reads (a P-256 CSR is under 1 KiB).
inline constexpr size_t kMaxJoinRequestBytes = 16 * 1024;

struct JoinAnswer {
  std::string line;                    // the JSON response, without the newline
  std::optional<std::string> refusal;  // set when the request was refused: the reason
  std::string node_id;                 // who asked, when the request named a node
};

// The refusal of a request longer than kMaxJoinRequestBytes.
JoinAnswer OversizedJoinRequest();

JoinAnswer AnswerJoinRequest(std::string_view request, JoinTokenStore& tokens,
                             const transport::ClusterCa& ca);

}  // namespace edgesync
