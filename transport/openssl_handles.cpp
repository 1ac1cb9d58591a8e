#include "transport/openssl_handles.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <string_view>

namespace edgesync::transport {
namespace {

using BioHandle = std::unique_ptr<BIO, OpensslDeleter>;

BioHandle MemoryBio(const std::string& text) {
  return BioHandle(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string SubjectField(X509* cert, int nid) {
  X509_NAME* name = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return {};
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                     static_cast<std::size_t>(ASN1_STRING_length(data)));
}

}  // namespace

Status OpensslFailure(const std::string& what) {
  std::string message = what;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    message += "; ";
    message += buffer;
  }
  return Status::IoError(message);
}

Result<PkeyHandle> ParsePrivateKeyPem(const std::string& pem) {
  BioHandle bio = MemoryBio(pem);
  PkeyHandle key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return OpensslFailure("private key PEM does not parse");
  return key;
}

Result<X509Handle> ParseCertificatePem(const std::string& pem) {
  BioHandle bio = MemoryBio(pem);
  X509Handle cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return OpensslFailure("certificate PEM does not parse");
  return cert;
}

Result<X509CrlHandle> ParseCrlPem(const std::string& pem) {
  BioHandle bio = MemoryBio(pem);
  X509CrlHandle crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) return OpensslFailure("CRL PEM does not parse");
  return crl;
}

std::string CertificateToPem(X509* cert) {
  BioHandle bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return {};
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

CertifiedIdentity IdentityFromCertificate(X509* cert) {
  CertifiedIdentity identity;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
      if (name->type != GEN_URI) continue;
      const ASN1_STRING* uri = name->d.uniformResourceIdentifier;
      std::string_view text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                            static_cast<std::size_t>(ASN1_STRING_length(uri)));
      auto take = [&](std::string_view prefix, std::string& out) {
        if (text.substr(0, prefix.size()) == prefix) out = std::string(text.substr(prefix.size()));
      };
      take("edgesync://node/", identity.node_id);
      take("edgesync://role/", identity.role);
      take("edgesync://cluster/", identity.cluster_id);
      constexpr std::string_view kLabel = "edgesync://label/";
      if (text.substr(0, kLabel.size()) == kLabel) {
        const std::string_view label = text.substr(kLabel.size());
        const auto eq = label.find('=');
        if (eq != std::string_view::npos && eq > 0)
          identity.labels[std::string(label.substr(0, eq))] = std::string(label.substr(eq + 1));
      }
    }
    GENERAL_NAMES_free(names);
  }
  if (identity.node_id.empty()) identity.node_id = SubjectField(cert, NID_commonName);
  if (identity.cluster_id.empty()) identity.cluster_id = SubjectField(cert, NID_organizationName);
  if (identity.role.empty()) {
    const std::string unit = SubjectField(cert, NID_organizationalUnitName);
    if (unit.rfind("role=", 0) == 0) identity.role = unit.substr(5);
  }
  return identity;
}

}  // namespace edgesync::transport
