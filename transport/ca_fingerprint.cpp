#include "transport/ca_fingerprint.h"

#include <openssl/evp.h>

#include "transport/openssl_handles.h"

namespace edgesync::transport {

std::string CertificateFingerprint(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &length) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = "sha256:";
  for (unsigned int i = 0; i < length; ++i) {
    text += kHex[digest[i] >> 4];
    text += kHex[digest[i] & 0xf];
  }
  return text;
}

Result<std::string> CertificateFingerprintOfPem(const std::string& cert_pem) {
  auto cert = ParseCertificatePem(cert_pem);
  if (!cert.ok()) return cert.status();
  std::string fingerprint = CertificateFingerprint(cert->get());
  if (fingerprint.empty()) return OpensslFailure("hashing the certificate failed");
  return fingerprint;
}

}  // namespace edgesync::transport
