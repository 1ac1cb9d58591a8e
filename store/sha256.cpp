#include "store/sha256.h"

#include <openssl/evp.h>

#include <stdexcept>

#include "store/chunk_id.h"

namespace edgesync {

struct Sha256::Ctx {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  if (!ctx_->md || EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL SHA-256 unavailable");
}

Sha256::~Sha256() = default;

void Sha256::Update(const void* data, size_t size) { EVP_DigestUpdate(ctx_->md, data, size); }

Sha256::Digest Sha256::Finish() {
  Digest d{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_->md, d.data(), &len);
  EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr);
  return d;
}

std::string Sha256::FinishHex() {
  Digest d = Finish();
  return ToHex(d.data(), d.size());
}

std::string Sha256::HexOf(const void* data, size_t size) {
  Sha256 h;
  h.Update(data, size);
  return h.FinishHex();
}

}  // namespace edgesync
