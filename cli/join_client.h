// The new node's side of a token join: one TLS connection to the join endpoint, which must
// present the certificate whose fingerprint the operator was given (the cluster CA's), one
// request line with the token and the certificate request, one answer line.
// Blocking, bounded by a 30 s timeout on connect and on each read or write.
// Thread-safety: pure function (one connection per call).
#pragma once

#include <map>
#include <string>

#include "base/status.h"

namespace edgesync {

struct JoinResult {
  std::string cert_pem;
  std::string ca_pem;
  std::string role;
  std::map<std::string, std::string> labels;
};

// `server` is "host:port"; `ca_fingerprint` "sha256:<64 hex>". A refusal by the endpoint is a
// PermissionDenied carrying its reason; an endpoint presenting another certificate is refused
// before anything is sent.
Result<JoinResult> RequestJoin(const std::string& server, const std::string& ca_fingerprint,
                               const std::string& token, const std::string& csr_pem);

}  // namespace edgesync
