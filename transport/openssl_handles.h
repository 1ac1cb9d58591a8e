// Owning handles and small helpers over OpenSSL 3 objects, internal to transport/.
// Thread-safety: plain functions; each handle is owned by one thread at a time.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "transport/certified_identity.h"
#include "base/status.h"

namespace edgesync::transport {

struct OpensslDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_REQ* p) const { X509_REQ_free(p); }
  void operator()(X509_CRL* p) const { X509_CRL_free(p); }
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};
using PkeyHandle = std::unique_ptr<EVP_PKEY, OpensslDeleter>;
using X509Handle = std::unique_ptr<X509, OpensslDeleter>;
using X509ReqHandle = std::unique_ptr<X509_REQ, OpensslDeleter>;
using X509CrlHandle = std::unique_ptr<X509_CRL, OpensslDeleter>;
using X509StoreHandle = std::unique_ptr<X509_STORE, OpensslDeleter>;

// A kCryptoError status: `what` followed by the drained OpenSSL error queue.
Status OpensslFailure(const std::string& what);

Result<PkeyHandle> ParsePrivateKeyPem(const std::string& pem);
Result<X509Handle> ParseCertificatePem(const std::string& pem);
Result<X509CrlHandle> ParseCrlPem(const std::string& pem);

// The certificate as PEM text; empty if OpenSSL cannot encode it.
std::string CertificateToPem(X509* cert);

// Node id, role and cluster id from the SAN URIs, falling back to the subject (CN, OU=role=, O),
// and the certified labels (SAN URIs edgesync://label/<key>=<value>).
CertifiedIdentity IdentityFromCertificate(X509* cert);

}  // namespace edgesync::transport
