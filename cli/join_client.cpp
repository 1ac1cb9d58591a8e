#include "cli/join_client.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include <nlohmann/json.hpp>

#include "base/json_depth.h"
#include "transport/ca_fingerprint.h"

namespace edgesync {
namespace {

constexpr size_t kMaxAnswerBytes = 64 * 1024;
constexpr int kTimeoutSeconds = 30;

struct SslCtxFree {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct BioFreeAll {
  void operator()(BIO* p) const { BIO_free_all(p); }
};

Status Failure(const std::string& what) {
  std::string message = what;
  if (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    message += std::string(": ") + buffer;
  }
  ERR_clear_error();
  return Status::IoError(message);
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

Result<JoinResult> RequestJoin(const std::string& server, const std::string& ca_fingerprint,
                               const std::string& token, const std::string& csr_pem) {
  const std::string pinned = Lower(ca_fingerprint);
  if (pinned.rfind("sha256:", 0) != 0 || pinned.size() != 7 + 64)
    return Status::InvalidArgument("--ca-fingerprint must be sha256: and 64 hex digits");
  std::unique_ptr<SSL_CTX, SslCtxFree> context(SSL_CTX_new(TLS_client_method()));
  if (!context) return Failure("TLS setup failed");
  SSL_CTX_set_min_proto_version(context.get(), TLS1_3_VERSION);
  // The endpoint's certificate is checked against the pinned fingerprint below, not a CA store.
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, nullptr);
  std::unique_ptr<BIO, BioFreeAll> bio(BIO_new_ssl_connect(context.get()));
  if (!bio) return Failure("TLS setup failed");
  BIO_set_conn_hostname(bio.get(), server.c_str());
  if (BIO_do_connect(bio.get()) <= 0) return Failure("cannot connect to " + server);
  int fd = -1;
  BIO_get_fd(bio.get(), &fd);
  timeval timeout{kTimeoutSeconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (BIO_do_handshake(bio.get()) <= 0) return Failure("TLS handshake with " + server + " failed");
  SSL* ssl = nullptr;
  BIO_get_ssl(bio.get(), &ssl);
  X509* presented = ssl ? SSL_get0_peer_certificate(ssl) : nullptr;
  if (!presented) return Status::Unauthenticated(server + " presented no certificate");
  const std::string presented_fingerprint = transport::CertificateFingerprint(presented);
  if (presented_fingerprint != pinned)
    return Status::Unauthenticated(server + " presented a certificate with fingerprint " +
                                   presented_fingerprint + ", not the pinned " + pinned +
                                   ": not sending the token");

  const std::string request = nlohmann::json{{"token", token}, {"csr", csr_pem}}.dump() + "\n";
  if (BIO_write(bio.get(), request.data(), static_cast<int>(request.size())) !=
      static_cast<int>(request.size()))
    return Failure("sending the join request failed");
  std::string answer;
  char buffer[4096];
  while (answer.find('\n') == std::string::npos && answer.size() <= kMaxAnswerBytes) {
    const int n = BIO_read(bio.get(), buffer, sizeof buffer);
    if (n <= 0) break;
    answer.append(buffer, static_cast<size_t>(n));
  }
  if (answer.find('\n') == std::string::npos) return Failure("no answer from " + server);
  answer.resize(answer.find('\n'));
  nlohmann::json parsed = JsonDepthWithin(answer, 4) ? nlohmann::json::parse(answer, nullptr, false)
                                                     : nlohmann::json(nlohmann::json::value_t::discarded);
  if (!parsed.is_object()) return Status::Corruption("the join endpoint's answer does not parse");
  if (!parsed.value("ok", false))
    return Status::PermissionDenied(parsed.value("error", "refused without a reason"));
  JoinResult result{parsed.value("cert", ""), parsed.value("ca", ""), parsed.value("role", ""),
                    parsed.value("labels", std::map<std::string, std::string>{})};
  auto ca_fingerprint_answered = transport::CertificateFingerprintOfPem(result.ca_pem);
  if (!ca_fingerprint_answered.ok() || *ca_fingerprint_answered != pinned)
    return Status::Unauthenticated("the CA certificate in the answer is not the pinned one");
  return result;
}

}  // namespace edgesync
