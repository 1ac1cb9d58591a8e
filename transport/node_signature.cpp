#include "transport/node_signature.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

#include "transport/openssl_handles.h"

namespace edgesync::transport {
namespace {

struct MdContextDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using MdContext = std::unique_ptr<EVP_MD_CTX, MdContextDeleter>;

}  // namespace

Result<std::string> SignWithNodeKey(const std::string& key_pem, std::string_view data) {
  auto key = ParsePrivateKeyPem(key_pem);
  if (!key.ok()) return key.status();
  MdContext context(EVP_MD_CTX_new());
  size_t length = 0;
  if (!context || EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key->get()) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1)
    return OpensslFailure("cannot sign with the node key");
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    return OpensslFailure("cannot sign with the node key");
  signature.resize(length);
  return signature;
}

Status VerifyNodeSignature(const std::string& cert_pem, std::string_view data,
                                    std::string_view signature) {
  auto cert = ParseCertificatePem(cert_pem);
  if (!cert.ok()) return cert.status();
  EVP_PKEY* key = X509_get0_pubkey(cert->get());
  if (!key) return OpensslFailure("certificate without a public key");
  MdContext context(EVP_MD_CTX_new());
  if (!context || EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key) != 1)
    return OpensslFailure("cannot set up signature verification");
  const int verdict = EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                                       signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                                       data.size());
  if (verdict == 1) return Status::Ok();
  ERR_clear_error();
  return Status::Unauthenticated("signature does not match the certificate's key");
}

}  // namespace edgesync::transport
