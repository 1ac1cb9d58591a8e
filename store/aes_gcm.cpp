#include "store/aes_gcm.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cassert>
#include <climits>
#include <memory>

namespace edgesync {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

// One context per thread and direction, with the cipher bound once: each seal or open then
// only sets the key and nonce, which is what a 29-byte metadata value can afford.
EVP_CIPHER_CTX* ThreadCtx(bool encrypt) {
  thread_local CipherCtx enc, dec;
  CipherCtx& ctx = encrypt ? enc : dec;
  if (!ctx) {
    ctx.reset(EVP_CIPHER_CTX_new());
    if (!ctx) return nullptr;
    if (EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr, encrypt ? 1 : 0) != 1) {
      ctx.reset();
      return nullptr;
    }
  }
  return ctx.get();
}

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// EVP lengths are ints; chunks and values are far below INT_MAX, but a caller's bug should fail.
bool FitsInt(size_t n) { return n <= static_cast<size_t>(INT_MAX); }

}  // namespace

Status GcmSeal(std::string_view key, std::string_view aad, std::string_view plaintext, std::string* out) {
  assert(key.size() == kAesKeyBytes);
  if (!FitsInt(plaintext.size()) || !FitsInt(aad.size())) return Status::TooLarge("value too large to encrypt");
  EVP_CIPHER_CTX* ctx = ThreadCtx(true);
  if (!ctx) return Status::IoError("OpenSSL AES-256-GCM is unavailable");
  const size_t start = out->size();
  out->resize(start + kGcmNonceBytes + plaintext.size() + kGcmTagBytes);
  auto* nonce = reinterpret_cast<unsigned char*>(out->data() + start);
  unsigned char* body = nonce + kGcmNonceBytes;
  int len = 0;
  bool ok = RAND_bytes(nonce, kGcmNonceBytes) == 1 &&
            EVP_CipherInit_ex(ctx, nullptr, nullptr, Bytes(key), nonce, 1) == 1 &&
            (aad.empty() || EVP_CipherUpdate(ctx, nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1) &&
            EVP_CipherUpdate(ctx, body, &len, Bytes(plaintext), static_cast<int>(plaintext.size())) == 1 &&
            EVP_CipherFinal_ex(ctx, body + len, &len) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kGcmTagBytes, body + plaintext.size()) == 1;
  if (!ok) {
    out->resize(start);
    return Status::IoError("OpenSSL AES-256-GCM failed to encrypt");
  }
  return Status::Ok();
}

Status GcmOpen(std::string_view key, std::string_view aad, std::string_view sealed, std::string* out) {
  assert(key.size() == kAesKeyBytes);
  out->clear();
  if (sealed.size() < kGcmOverheadBytes) return Status::Unauthenticated("encrypted value is truncated");
  if (!FitsInt(sealed.size()) || !FitsInt(aad.size())) return Status::TooLarge("value too large to decrypt");
  EVP_CIPHER_CTX* ctx = ThreadCtx(false);
  if (!ctx) return Status::IoError("OpenSSL AES-256-GCM is unavailable");
  const size_t body_size = sealed.size() - kGcmOverheadBytes;
  const unsigned char* nonce = Bytes(sealed);
  const unsigned char* body = nonce + kGcmNonceBytes;
  // The tag is an input here; OpenSSL's prototype takes it as non-const.
  auto* tag = const_cast<unsigned char*>(body + body_size);
  out->resize(body_size);
  auto* plain = reinterpret_cast<unsigned char*>(out->data());
  int len = 0;
  bool ok = EVP_CipherInit_ex(ctx, nullptr, nullptr, Bytes(key), nonce, 0) == 1 &&
            (aad.empty() || EVP_CipherUpdate(ctx, nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1) &&
            EVP_CipherUpdate(ctx, plain, &len, body, static_cast<int>(body_size)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kGcmTagBytes, tag) == 1;
  int final_len = 0;
  if (!ok || EVP_CipherFinal_ex(ctx, plain + len, &final_len) != 1) {
    out->clear();
    return Status::Unauthenticated("encrypted value does not authenticate (wrong key or altered bytes)");
  }
  return Status::Ok();
}

}  // namespace edgesync
