#include "replication/version_attestation.h"

#include <nlohmann/json.hpp>

#include "transport/identity.h"
#include "transport/node_signature.h"

namespace edgesync::replication {
namespace {

constexpr size_t kMaxCachedCertificates = 1024;

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

}  // namespace

std::string AttestedBytes(const std::string& key, const VersionRecord& record) {
  VersionRecord bare = record;
  bare.attestation.clear();
  return "edgesync-version-v1\n" + key + "\n" + bare.Encode();
}

Result<std::string> SealVersion(const std::string& key, const VersionRecord& record,
                                const std::string& cert_pem, const std::string& key_pem) {
  auto signature = transport::SignWithNodeKey(key_pem, AttestedBytes(key, record));
  if (!signature.ok()) return Status::IoError("signing version of " + key + ": " + signature.status().message());
  return nlohmann::json{{"cert", cert_pem}, {"sig", ToHex(signature.value())}}.dump();
}

Result<transport::CertifiedIdentity> AttestationVerifier::VerifiedCertificate(const std::string& cert_pem) {
  {
    MutexLock lock(mu_);
    if (auto it = verified_.find(cert_pem); it != verified_.end()) return it->second;
  }
  // Checked outside the lock: verification is the slow part and is idempotent.
  auto valid = transport::VerifyNodeCertificate(ca_pem_, cert_pem);
  if (!valid.ok()) return Status::PermissionDenied("author " + valid.message());
  auto identity = transport::ReadCertifiedIdentity(cert_pem);
  if (!identity.ok()) return Status::PermissionDenied("author certificate: " + identity.status().message());
  MutexLock lock(mu_);
  if (verified_.size() >= kMaxCachedCertificates) verified_.clear();
  verified_.emplace(cert_pem, identity.value());
  return identity.value();
}

Result<transport::CertifiedIdentity> AttestationVerifier::Author(const std::string& key,
                                                                 const VersionRecord& record) {
  if (record.attestation.empty()) return Status::NotFound("version carries no attestation");
  if (record.attestation.size() > kMaxAttestationBytes) return Status::PermissionDenied("attestation too large");
  std::string cert_pem, signature_hex;
  try {
    auto j = nlohmann::json::parse(record.attestation);
    cert_pem = j.at("cert").get<std::string>();
    signature_hex = j.at("sig").get<std::string>();
  } catch (const nlohmann::json::exception&) {
    return Status::PermissionDenied("malformed attestation");
  }
  auto signature = FromHex(signature_hex);
  if (!signature) return Status::PermissionDenied("malformed attestation signature");
  auto identity = VerifiedCertificate(cert_pem);
  if (!identity.ok()) return identity.status();
  if (identity->node_id != record.author)
    return Status::PermissionDenied("attestation certificate belongs to node '" + identity->node_id +
                                    "', not to the claimed author '" + record.author + "'");
  auto checked = transport::VerifyNodeSignature(cert_pem, AttestedBytes(key, record), *signature);
  if (!checked.ok()) return Status::PermissionDenied("attestation of " + record.author + ": " + checked.message());
  return identity;
}

}  // namespace edgesync::replication
