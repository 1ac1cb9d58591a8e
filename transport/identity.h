// Cluster identity: the cluster CA, node keys, node certificates and revocation lists.
//
// A cluster has one CA (EC P-256, self-signed, cluster id in its subject). Every node holds an
// EC P-256 key and a certificate signed by that CA which names the node id (CN and SAN URI
// edgesync://node/<id>), its role (OU=role=<role> and edgesync://role/<role>) and the cluster id
// (O=<cluster> and edgesync://cluster/<cluster>), and any labels the CA certified, one SAN URI
// edgesync://label/<key>=<value> each. Everything is PEM text; the Write* helpers put
// it into files, private keys with mode 0600.
// Thread-safety: pure functions over values (OpenSSL 3 is thread-safe for these uses).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "transport/certified_identity.h"
#include "base/status.h"

namespace edgesync::transport {

// Validity window relative to now; negative offsets lie in the past (e.g. an expired test cert).
struct CertificateValidity {
  std::chrono::seconds not_before_offset{-300};
  std::chrono::seconds not_after_offset{std::chrono::hours(24 * 365)};
};

struct ClusterCa {
  std::string cluster_id;
  std::string key_pem;
  std::string cert_pem;
};

struct NodeKeyRequest {
  std::string key_pem;
  std::string csr_pem;
};

// File names used inside identity directories.
inline constexpr const char* kCaKeyFile = "ca.key";
inline constexpr const char* kCaCertFile = "ca.crt";
inline constexpr const char* kNodeKeyFile = "node.key";
inline constexpr const char* kNodeCertFile = "node.crt";

// Node ids, roles and cluster ids: 1..64 characters from [A-Za-z0-9._-].
bool IsValidIdentityName(const std::string& name);

Result<ClusterCa> CreateClusterCa(const std::string& cluster_id,
                                           const CertificateValidity& validity = {});
// Writes ca.key (0600) and ca.crt into `dir`, creating it if needed.
Status WriteClusterCa(const ClusterCa& ca, const std::filesystem::path& dir);
Result<ClusterCa> LoadClusterCa(const std::filesystem::path& dir);

Result<NodeKeyRequest> CreateNodeKeyRequest(const std::string& node_id,
                                                     const std::string& role);
// Verifies the request's signature and reads the node id and role it asks for.
Result<CertifiedIdentity> ReadRequestedIdentity(const std::string& csr_pem);
// Certified labels: at most kMaxCertifiedLabels, keys 1..63 characters of [A-Za-z0-9._/-],
// values 1..128 characters of [A-Za-z0-9._-] (they travel in SAN URIs, so nothing to escape).
inline constexpr std::size_t kMaxCertifiedLabels = 32;
Status CheckCertifiedLabel(const std::string& key, const std::string& value);

// Verifies the request's signature and issues a node certificate for the CA's cluster, with
// `labels` certified in it (each checked by CheckCertifiedLabel).
Result<std::string> SignNodeRequest(const ClusterCa& ca, const std::string& csr_pem,
                                             const CertificateValidity& validity = {},
                                             const std::map<std::string, std::string>& labels = {});
// Writes node.key (0600) and node.crt into `dir`, creating it if needed.
Status WriteNodeIdentity(const std::filesystem::path& dir, const std::string& key_pem,
                                  const std::string& cert_pem);

// A CRL signed by the CA revoking the given certificates.
Result<std::string> CreateCrl(const ClusterCa& ca,
                                       const std::vector<std::string>& revoked_cert_pems,
                                       std::chrono::seconds next_update = std::chrono::hours(24));

// Reads node id, role, cluster id and certified labels out of a certificate (does not verify it).
Result<CertifiedIdentity> ReadCertifiedIdentity(const std::string& cert_pem);

// Verifies a node certificate against the CA (and the CRL when given). The error message names
// the reason: "certificate has expired", "unable to get local issuer certificate" (wrong CA),
// "certificate revoked".
Status VerifyNodeCertificate(const std::string& ca_pem, const std::string& cert_pem,
                                      const std::optional<std::string>& crl_pem = std::nullopt);

Result<std::string> ReadTextFile(const std::filesystem::path& path);
// Creates or truncates `path` (mode 0600 for a private key, else 0644). A symlink at `path` is
// refused, never followed.
Status WriteTextFile(const std::filesystem::path& path, const std::string& text,
                              bool private_key);

}  // namespace edgesync::transport
