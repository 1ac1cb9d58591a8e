#include "transport/tls_context.h"

#include <utility>  // before asio: Boost 1.74 awaitable.hpp needs std::exchange

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <spdlog/spdlog.h>

#include <boost/asio/ssl/context.hpp>

#include "transport/identity.h"
#include "transport/openssl_handles.h"

namespace edgesync::transport {
namespace {

Result<std::string> ReadRequired(const std::filesystem::path& path, const char* what) {
  if (path.empty()) {
    return Status::InvalidArgument(std::string(what) + " file is not configured");
  }
  return ReadTextFile(path);
}

}  // namespace

Result<TlsMaterial> LoadTlsMaterial(const CredentialFiles& files) {
  TlsMaterial material;
  auto ca_pem = ReadRequired(files.ca_cert, "CA certificate");
  if (!ca_pem.ok()) return ca_pem.status();
  material.ca_pem = std::move(ca_pem).value();
  auto cert_pem = ReadRequired(files.cert, "node certificate");
  if (!cert_pem.ok()) return cert_pem.status();
  material.cert_pem = std::move(cert_pem).value();
  auto key_pem = ReadRequired(files.key, "node key");
  if (!key_pem.ok()) return key_pem.status();
  material.key_pem = std::move(key_pem).value();
  if (!files.crl.empty()) {
    auto crl = ReadTextFile(files.crl);
    if (!crl.ok()) return crl.status();
    material.crl_pem = std::move(crl).value();
  }
  return material;
}

Result<std::shared_ptr<boost::asio::ssl::context>> CreateTlsContext(const TlsMaterial& material,
                                                                    const std::string& node_id) {
  // Not fatal (the certificate may be replaced while we run), but peers will refuse us.
  Status own = VerifyNodeCertificate(material.ca_pem, material.cert_pem, material.crl_pem);
  if (!own.ok()) {
    spdlog::error("transport: our own certificate does not verify against the cluster CA: {}; "
                  "peers will refuse our links",
                  own.message());
  }
  auto own_identity = ReadCertifiedIdentity(material.cert_pem);
  if (!own_identity.ok()) return own_identity.status();
  if (own_identity->node_id != node_id) {
    return Status::InvalidArgument("certificate node id '" + own_identity->node_id +
                                   "' differs from configured node id '" + node_id + "'");
  }

  auto context = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION);
  SSL_CTX_set_ciphersuites(native,
                           "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
                           "TLS_CHACHA20_POLY1305_SHA256");
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  // Send only our leaf certificate: the peer trusts the cluster CA, not a chain we present.
  SSL_CTX_set_mode(native, SSL_MODE_NO_AUTO_CHAIN);

  auto key = ParsePrivateKeyPem(material.key_pem);
  if (!key.ok()) return key.status();
  auto cert = ParseCertificatePem(material.cert_pem);
  if (!cert.ok()) return cert.status();
  auto ca = ParseCertificatePem(material.ca_pem);
  if (!ca.ok()) return ca.status();
  if (SSL_CTX_use_certificate(native, cert->get()) != 1 ||
      SSL_CTX_use_PrivateKey(native, key->get()) != 1 || SSL_CTX_check_private_key(native) != 1) {
    return OpensslFailure("node key and certificate do not load or do not match");
  }
  X509_STORE* store = SSL_CTX_get_cert_store(native);
  if (X509_STORE_add_cert(store, ca->get()) != 1) return OpensslFailure("adding the CA failed");
  if (material.crl_pem) {
    auto crl = ParseCrlPem(*material.crl_pem);
    if (!crl.ok()) return crl.status();
    if (X509_STORE_add_crl(store, crl->get()) != 1) return OpensslFailure("adding the CRL failed");
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  }
  SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_verify_depth(native, 2);
  return context;
}

}  // namespace edgesync::transport
