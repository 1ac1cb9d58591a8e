#include "transport/clock_skew.h"
#include "transport/identity.h"

#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "transport/openssl_handles.h"

namespace edgesync::transport {
namespace {

using BioHandle = std::unique_ptr<BIO, OpensslDeleter>;

Result<PkeyHandle> GenerateP256Key() {
  PkeyHandle key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return OpensslFailure("EC P-256 key generation failed");
  return key;
}

template <typename Writer>
std::string ToPem(Writer write) {
  BioHandle bio(BIO_new(BIO_s_mem()));
  if (!write(bio.get())) return {};
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

std::string KeyToPem(EVP_PKEY* key) {
  return ToPem([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  });
}

std::string CertToPem(X509* cert) {
  return ToPem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert) == 1; });
}

bool AddNameEntry(X509_NAME* name, const char* field, const std::string& value) {
  return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(value.data()),
                                    static_cast<int>(value.size()), -1, 0) == 1;
}

bool AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (!extension) return false;
  const bool added = X509_add_ext(cert, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

bool SetRandomSerial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return false;
  bytes[0] &= 0x7f;  // keep it positive
  BIGNUM* number = BN_bin2bn(bytes, sizeof(bytes), nullptr);
  const bool ok = number && BN_to_ASN1_INTEGER(number, X509_get_serialNumber(cert)) != nullptr;
  BN_free(number);
  return ok;
}

bool SetValidity(X509* cert, const CertificateValidity& validity) {
  return X509_gmtime_adj(X509_getm_notBefore(cert), validity.not_before_offset.count()) &&
         X509_gmtime_adj(X509_getm_notAfter(cert), validity.not_after_offset.count());
}

bool AllOf(const std::string& text, std::string_view extra) {
  return std::all_of(text.begin(), text.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           extra.find(c) != std::string_view::npos;
  });
}

Status InvalidName(const char* what, const std::string& value) {
  return Status::InvalidArgument(std::string(what) + " '" + value + "' must be 1..64 characters of [A-Za-z0-9._-]");
}

}  // namespace

bool IsValidIdentityName(const std::string& name) {
  return !name.empty() && name.size() <= 64 && AllOf(name, "._-");
}

Status CheckCertifiedLabel(const std::string& key, const std::string& value) {
  if (key.empty() || key.size() > 63 || !AllOf(key, "._/-"))
    return Status::InvalidArgument("certificate label key '" + key + "' must be 1..63 characters of [A-Za-z0-9._/-]");
  if (value.empty() || value.size() > 128 || !AllOf(value, "._-"))
    return Status::InvalidArgument("certificate label " + key + "='" + value +
                                   "': the value must be 1..128 characters of [A-Za-z0-9._-]");
  return Status::Ok();
}

Result<ClusterCa> CreateClusterCa(const std::string& cluster_id,
                                           const CertificateValidity& validity) {
  if (!IsValidIdentityName(cluster_id)) return InvalidName("cluster id", cluster_id);
  auto key = GenerateP256Key();
  if (!key.ok()) return key.status();
  X509Handle cert(X509_new());
  X509_NAME* name = X509_get_subject_name(cert.get());
  const bool built =
      X509_set_version(cert.get(), 2) && SetRandomSerial(cert.get()) &&
      SetValidity(cert.get(), validity) && X509_set_pubkey(cert.get(), key->get()) &&
      AddNameEntry(name, "O", cluster_id) && AddNameEntry(name, "CN", "edgesync cluster CA") &&
      X509_set_issuer_name(cert.get(), name) &&
      AddExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
      AddExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign") &&
      AddExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash") &&
      AddExtension(cert.get(), cert.get(), NID_subject_alt_name,
                   "URI:edgesync://cluster/" + cluster_id) &&
      X509_sign(cert.get(), key->get(), EVP_sha256()) > 0;
  if (!built) return OpensslFailure("building the cluster CA certificate failed");
  return ClusterCa{cluster_id, KeyToPem(key->get()), CertToPem(cert.get())};
}

Status WriteClusterCa(const ClusterCa& ca, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError("create " + dir.string() + ": " + ec.message());
  Status status = WriteTextFile(dir / kCaKeyFile, ca.key_pem, /*private_key=*/true);
  if (!status.ok()) return status;
  return WriteTextFile(dir / kCaCertFile, ca.cert_pem, /*private_key=*/false);
}

Result<ClusterCa> LoadClusterCa(const std::filesystem::path& dir) {
  auto key = ReadTextFile(dir / kCaKeyFile);
  if (!key.ok()) return key.status();
  auto cert_pem = ReadTextFile(dir / kCaCertFile);
  if (!cert_pem.ok()) return cert_pem.status();
  auto cert = ParseCertificatePem(cert_pem.value());
  if (!cert.ok()) return cert.status();
  const CertifiedIdentity identity = IdentityFromCertificate(cert->get());
  return ClusterCa{identity.cluster_id, std::move(key).value(), std::move(cert_pem).value()};
}

Result<NodeKeyRequest> CreateNodeKeyRequest(const std::string& node_id,
                                                     const std::string& role) {
  if (!IsValidIdentityName(node_id)) return InvalidName("node id", node_id);
  if (!IsValidIdentityName(role)) return InvalidName("role", role);
  auto key = GenerateP256Key();
  if (!key.ok()) return key.status();
  X509ReqHandle request(X509_REQ_new());
  X509_NAME* name = X509_REQ_get_subject_name(request.get());
  const bool built = X509_REQ_set_version(request.get(), 0) &&
                     AddNameEntry(name, "OU", "role=" + role) && AddNameEntry(name, "CN", node_id) &&
                     X509_REQ_set_pubkey(request.get(), key->get()) &&
                     X509_REQ_sign(request.get(), key->get(), EVP_sha256()) > 0;
  if (!built) return OpensslFailure("building the node certificate request failed");
  std::string csr = ToPem([&](BIO* bio) { return PEM_write_bio_X509_REQ(bio, request.get()) == 1; });
  return NodeKeyRequest{KeyToPem(key->get()), std::move(csr)};
}

namespace {

// A request whose signature verifies, its public key, and the identity its subject asks for.
struct VerifiedRequest {
  PkeyHandle node_key;
  CertifiedIdentity requested;
};

Result<VerifiedRequest> VerifyRequest(const std::string& csr_pem) {
  BioHandle bio(BIO_new_mem_buf(csr_pem.data(), static_cast<int>(csr_pem.size())));
  X509ReqHandle request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!request) return OpensslFailure("certificate request PEM does not parse");
  PkeyHandle node_key(X509_REQ_get_pubkey(request.get()));
  if (!node_key || X509_REQ_verify(request.get(), node_key.get()) != 1) {
    return OpensslFailure("certificate request signature does not verify");
  }
  // Read the requested identity through a throwaway certificate carrying the request's subject.
  X509Handle cert(X509_new());
  X509_set_subject_name(cert.get(), X509_REQ_get_subject_name(request.get()));
  CertifiedIdentity requested = IdentityFromCertificate(cert.get());
  if (!IsValidIdentityName(requested.node_id)) return InvalidName("node id", requested.node_id);
  if (!IsValidIdentityName(requested.role)) return InvalidName("role", requested.role);
  return VerifiedRequest{std::move(node_key), std::move(requested)};
}

}  // namespace

Result<CertifiedIdentity> ReadRequestedIdentity(const std::string& csr_pem) {
  auto verified = VerifyRequest(csr_pem);
  if (!verified.ok()) return verified.status();
  return verified->requested;
}

Result<std::string> SignNodeRequest(const ClusterCa& ca, const std::string& csr_pem,
                                             const CertificateValidity& validity,
                                             const std::map<std::string, std::string>& labels) {
  if (labels.size() > kMaxCertifiedLabels)
    return Status::InvalidArgument("at most " + std::to_string(kMaxCertifiedLabels) + " certificate labels");
  for (const auto& [key, value] : labels) EDGESYNC_RETURN_IF_ERROR(CheckCertifiedLabel(key, value));
  auto ca_key = ParsePrivateKeyPem(ca.key_pem);
  if (!ca_key.ok()) return ca_key.status();
  auto ca_cert = ParseCertificatePem(ca.cert_pem);
  if (!ca_cert.ok()) return ca_cert.status();
  auto verified = VerifyRequest(csr_pem);
  if (!verified.ok()) return verified.status();
  const CertifiedIdentity& requested = verified->requested;
  PkeyHandle& node_key = verified->node_key;

  X509Handle cert(X509_new());
  X509_NAME* name = X509_get_subject_name(cert.get());
  std::string uris = "URI:edgesync://node/" + requested.node_id +
                     ",URI:edgesync://role/" + requested.role +
                     ",URI:edgesync://cluster/" + ca.cluster_id;
  for (const auto& [key, value] : labels) uris += ",URI:edgesync://label/" + key + "=" + value;
  const bool built =
      X509_set_version(cert.get(), 2) && SetRandomSerial(cert.get()) &&
      SetValidity(cert.get(), validity) && X509_set_pubkey(cert.get(), node_key.get()) &&
      AddNameEntry(name, "O", ca.cluster_id) && AddNameEntry(name, "OU", "role=" + requested.role) &&
      AddNameEntry(name, "CN", requested.node_id) &&
      X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert->get())) &&
      AddExtension(cert.get(), ca_cert->get(), NID_basic_constraints, "critical,CA:FALSE") &&
      AddExtension(cert.get(), ca_cert->get(), NID_key_usage, "critical,digitalSignature") &&
      AddExtension(cert.get(), ca_cert->get(), NID_ext_key_usage, "serverAuth,clientAuth") &&
      AddExtension(cert.get(), ca_cert->get(), NID_authority_key_identifier, "keyid:always") &&
      AddExtension(cert.get(), ca_cert->get(), NID_subject_alt_name, uris) &&
      X509_sign(cert.get(), ca_key->get(), EVP_sha256()) > 0;
  if (!built) return OpensslFailure("signing the node certificate failed");
  return CertToPem(cert.get());
}

Status WriteNodeIdentity(const std::filesystem::path& dir, const std::string& key_pem,
                                  const std::string& cert_pem) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError("create " + dir.string() + ": " + ec.message());
  Status status = WriteTextFile(dir / kNodeKeyFile, key_pem, /*private_key=*/true);
  if (!status.ok()) return status;
  return WriteTextFile(dir / kNodeCertFile, cert_pem, /*private_key=*/false);
}

Result<std::string> CreateCrl(const ClusterCa& ca,
                                       const std::vector<std::string>& revoked_cert_pems,
                                       std::chrono::seconds next_update) {
  auto ca_key = ParsePrivateKeyPem(ca.key_pem);
  if (!ca_key.ok()) return ca_key.status();
  auto ca_cert = ParseCertificatePem(ca.cert_pem);
  if (!ca_cert.ok()) return ca_cert.status();
  X509CrlHandle crl(X509_CRL_new());
  ASN1_TIME* now = X509_gmtime_adj(nullptr, 0);
  ASN1_TIME* next = X509_gmtime_adj(nullptr, next_update.count());
  bool built = X509_CRL_set_version(crl.get(), 1) &&
               X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca_cert->get())) &&
               X509_CRL_set1_lastUpdate(crl.get(), now) && X509_CRL_set1_nextUpdate(crl.get(), next);
  for (const std::string& pem : revoked_cert_pems) {
    auto cert = ParseCertificatePem(pem);
    if (!cert.ok()) {
      ASN1_TIME_free(now);
      ASN1_TIME_free(next);
      return cert.status();
    }
    X509_REVOKED* revoked = X509_REVOKED_new();
    built = built && X509_REVOKED_set_serialNumber(revoked, X509_get_serialNumber(cert->get())) &&
            X509_REVOKED_set_revocationDate(revoked, now) && X509_CRL_add0_revoked(crl.get(), revoked);
    if (!built) X509_REVOKED_free(revoked);
  }
  ASN1_TIME_free(now);
  ASN1_TIME_free(next);
  built = built && X509_CRL_sort(crl.get()) && X509_CRL_sign(crl.get(), ca_key->get(), EVP_sha256()) > 0;
  if (!built) return OpensslFailure("building the CRL failed");
  return ToPem([&](BIO* bio) { return PEM_write_bio_X509_CRL(bio, crl.get()) == 1; });
}

Result<CertifiedIdentity> ReadCertifiedIdentity(const std::string& cert_pem) {
  auto cert = ParseCertificatePem(cert_pem);
  if (!cert.ok()) return cert.status();
  return IdentityFromCertificate(cert->get());
}

Status VerifyNodeCertificate(const std::string& ca_pem, const std::string& cert_pem,
                                      const std::optional<std::string>& crl_pem) {
  auto ca = ParseCertificatePem(ca_pem);
  if (!ca.ok()) return ca.status();
  auto cert = ParseCertificatePem(cert_pem);
  if (!cert.ok()) return cert.status();
  X509StoreHandle store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca->get());
  if (crl_pem) {
    auto crl = ParseCrlPem(*crl_pem);
    if (!crl.ok()) return crl.status();
    X509_STORE_add_crl(store.get(), crl->get());
    X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK);
  }
  std::unique_ptr<X509_STORE_CTX, OpensslDeleter> context(X509_STORE_CTX_new());
  X509_STORE_CTX_init(context.get(), store.get(), cert->get(), nullptr);
  if (X509_verify_cert(context.get()) == 1) return Status::Ok();
  const int error = X509_STORE_CTX_get_error(context.get());
  const bool dated = error == X509_V_ERR_CERT_NOT_YET_VALID || error == X509_V_ERR_CERT_HAS_EXPIRED ||
                     error == X509_V_ERR_CRL_NOT_YET_VALID || error == X509_V_ERR_CRL_HAS_EXPIRED;
  return Status::Unauthenticated(std::string("certificate refused: ") + X509_verify_cert_error_string(error) +
              (dated ? " (check this node's clock: it reads " + UtcTimeText(WallClockMs()) + ")"
                     : ""));
}

Result<std::string> ReadTextFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status WriteTextFile(const std::filesystem::path& path, const std::string& text,
                              bool private_key) {
  const mode_t mode = private_key ? 0600 : 0644;
  // O_NOFOLLOW: a symlink planted at a key's name is refused, never written through.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0 && errno == ELOOP) {
    return Status::IoError("cannot create " + path.string() + ": it is a symlink; not writing through it");
  }
  if (fd < 0) return Status::IoError("cannot create " + path.string());
  bool ok = ::fchmod(fd, mode) == 0;
  std::size_t written = 0;
  while (ok && written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    ok = n > 0;
    if (ok) written += static_cast<std::size_t>(n);
  }
  ok = ::close(fd) == 0 && ok;
  if (!ok) return Status::IoError("cannot write " + path.string());
  return Status::Ok();
}

}  // namespace edgesync::transport
