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

Result<std::shared_ptr<boost::asio::ssl::context>> CreateTlsContext(
    const TransportOptions& options) {
  auto ca_pem = ReadRequired(options.ca_cert_file, "CA certificate");
  if (!ca_pem.ok()) return ca_pem.status();
  auto cert_pem = ReadRequired(options.cert_file, "node certificate");
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = ReadRequired(options.key_file, "node key");
  if (!key_pem.ok()) return key_pem.status();
  std::optional<std::string> crl_pem;
  if (!options.crl_file.empty()) {
    auto crl = ReadTextFile(options.crl_file);
    if (!crl.ok()) return crl.status();
    crl_pem = std::move(crl).value();
  }

  // Not fatal (the certificate may be replaced while we run), but peers will refuse us.
  Status own = VerifyNodeCertificate(ca_pem.value(), cert_pem.value(), crl_pem);
  if (!own.ok()) {
    spdlog::error("transport: our own certificate {} does not verify against {}: {}; peers will "
                  "refuse our links",
                  options.cert_file.string(), options.ca_cert_file.string(), own.message());
  }
  auto own_identity = ReadCertifiedIdentity(cert_pem.value());
  if (!own_identity.ok()) return own_identity.status();
  if (own_identity->node_id != options.local_hello.node_id) {
    return Status::InvalidArgument("certificate node id '" + own_identity->node_id +
                               "' differs from configured node id '" +
                               options.local_hello.node_id + "'");
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

  auto key = ParsePrivateKeyPem(key_pem.value());
  if (!key.ok()) return key.status();
  auto cert = ParseCertificatePem(cert_pem.value());
  if (!cert.ok()) return cert.status();
  auto ca = ParseCertificatePem(ca_pem.value());
  if (!ca.ok()) return ca.status();
  if (SSL_CTX_use_certificate(native, cert->get()) != 1 ||
      SSL_CTX_use_PrivateKey(native, key->get()) != 1 || SSL_CTX_check_private_key(native) != 1) {
    return OpensslFailure("node key and certificate do not load or do not match");
  }
  X509_STORE* store = SSL_CTX_get_cert_store(native);
  if (X509_STORE_add_cert(store, ca->get()) != 1) return OpensslFailure("adding the CA failed");
  if (crl_pem) {
    auto crl = ParseCrlPem(*crl_pem);
    if (!crl.ok()) return crl.status();
    if (X509_STORE_add_crl(store, crl->get()) != 1) return OpensslFailure("adding the CRL failed");
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  }
  SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_verify_depth(native, 2);
  return context;
}

}  // namespace edgesync::transport
