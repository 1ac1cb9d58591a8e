#include "transport/credential_dates.h"

#include <openssl/asn1.h>

#include <ctime>

#include "transport/openssl_handles.h"

namespace edgesync::transport {
namespace {

Result<std::int64_t> TimeMs(const ASN1_TIME* time, const char* what) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    return Status::InvalidArgument(std::string(what) + " is not a valid time");
  }
  return static_cast<std::int64_t>(::timegm(&tm)) * 1000;
}

}  // namespace

Result<std::int64_t> CertificateNotAfterMs(const std::string& cert_pem) {
  auto cert = ParseCertificatePem(cert_pem);
  if (!cert.ok()) return cert.status();
  return TimeMs(X509_get0_notAfter(cert->get()), "the certificate's notAfter");
}

Result<std::int64_t> CrlNextUpdateMs(const std::string& crl_pem) {
  auto crl = ParseCrlPem(crl_pem);
  if (!crl.ok()) return crl.status();
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl->get());
  if (next == nullptr) return Status::NotFound("the CRL has no nextUpdate");
  return TimeMs(next, "the CRL's nextUpdate");
}

}  // namespace edgesync::transport
