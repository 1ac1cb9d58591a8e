// AES-256-GCM over OpenSSL's EVP: the one authenticated cipher of encryption at rest
// (docs/store.md "Encryption at rest"). A sealed string is nonce (12 random bytes) ||
// ciphertext || tag (16 bytes); the associated data is authenticated but not stored.
//
// Random 96-bit nonces keep the chance of a repeat below 2^-32 for the first 2^32 seals under
// one key, which no store comes near (a seal per chunk and per metadata write).
// Thread-safe: each thread keeps its own cipher context, set up once and reused.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace edgesync {

inline constexpr size_t kAesKeyBytes = 32;
inline constexpr size_t kGcmNonceBytes = 12;
inline constexpr size_t kGcmTagBytes = 16;
inline constexpr size_t kGcmOverheadBytes = kGcmNonceBytes + kGcmTagBytes;

// Appends the sealed form of `plaintext` to `*out`.
// REQUIRES: key.size() == kAesKeyBytes.
Status GcmSeal(std::string_view key, std::string_view aad, std::string_view plaintext, std::string* out);

// Replaces `*out` with the plaintext of `sealed`. Unauthenticated when the tag does not match:
// another key, other associated data, or altered bytes; `*out` is then cleared.
// REQUIRES: key.size() == kAesKeyBytes.
Status GcmOpen(std::string_view key, std::string_view aad, std::string_view sealed, std::string* out);

}  // namespace edgesync
