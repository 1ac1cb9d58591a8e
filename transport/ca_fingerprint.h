// The fingerprint a new node pins when it joins with a token: "sha256:" and the 64 lower-case
// hex digits of SHA-256 over the certificate's DER encoding (what
// `openssl x509 -noout -fingerprint -sha256` prints, without the colons).
// Thread-safety: pure functions.
#pragma once

#include <openssl/x509.h>

#include <string>

#include "base/status.h"

namespace edgesync::transport {

std::string CertificateFingerprint(X509* cert);
Result<std::string> CertificateFingerprintOfPem(const std::string& cert_pem);

}  // namespace edgesync::transport
