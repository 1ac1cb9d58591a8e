// When TLS material stops being good: a certificate's notAfter and a CRL's nextUpdate, as
// milliseconds since the epoch, so a node can warn before its links start being refused.
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace edgesync::transport {

Result<std::int64_t> CertificateNotAfterMs(const std::string& cert_pem);
// A CRL without a nextUpdate never goes stale: kNotFound.
Result<std::int64_t> CrlNextUpdateMs(const std::string& crl_pem);

}  // namespace edgesync::transport
