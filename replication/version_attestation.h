// Version attestation: proof, carried inside a VersionRecord, of which node authored it.
//
// The author's node signs (key, record without attestation) with its private key and attaches
// its certificate: {"cert": "<PEM>", "sig": "<hex DER ECDSA>"}. Any node checks it against the
// cluster CA alone, whichever relay the version came through, and reads the author's role from
// the certificate. A relay cannot forge it for a version it writes itself (no key) nor move it
// to another key or vector (both are signed).
// Thread-safety: SealVersion is pure; AttestationVerifier is safe for concurrent use.
#pragma once

#include <string>
#include <unordered_map>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "base/status.h"
#include "store/version_record.h"
#include "transport/certified_identity.h"

namespace edgesync::replication {

inline constexpr size_t kMaxAttestationBytes = 8192;

// The bytes an attestation signs: a domain tag, the key and the record with no attestation.
std::string AttestedBytes(const std::string& key, const VersionRecord& record);

Result<std::string> SealVersion(const std::string& key, const VersionRecord& record,
                                const std::string& cert_pem, const std::string& key_pem);

class AttestationVerifier {
 public:
  explicit AttestationVerifier(std::string ca_pem) : ca_pem_(std::move(ca_pem)) {}

  // The verified author's identity. NotFound when the record carries no attestation;
  // PermissionDenied naming the reason when it does not verify (foreign or expired
  // certificate, certificate of another node than record.author, bad signature).
  Result<transport::CertifiedIdentity> Author(const std::string& key, const VersionRecord& record);

 private:
  Result<transport::CertifiedIdentity> VerifiedCertificate(const std::string& cert_pem);

  const std::string ca_pem_;
  Mutex mu_;
  // Certificates already checked against the CA (bounded; cleared when full).
  std::unordered_map<std::string, transport::CertifiedIdentity> verified_ GUARDED_BY(mu_);
};

}  // namespace edgesync::replication
