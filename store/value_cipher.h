// ValueCipher: how an encrypted store seals each RocksDB value under its data key.
//
// A sealed value is a format byte (1: AES-256-GCM under the store's data key), then what
// GcmSeal writes (nonce, ciphertext, tag). The associated data is the column family and the
// RocksDB key, so a value copied under another key or family fails to open instead of being
// read as that key's. Keys themselves stay plaintext (they are looked up and scanned by
// prefix). Immutable after construction; thread-safe. The data key is wiped on destruction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/aes_gcm.h"

namespace edgesync {

class ValueCipher {
 public:
  static constexpr size_t kOverheadBytes = 1 + kGcmOverheadBytes;

  // REQUIRES: data_key.size() == kAesKeyBytes.
  explicit ValueCipher(std::string data_key);
  ~ValueCipher();
  ValueCipher(const ValueCipher&) = delete;
  ValueCipher& operator=(const ValueCipher&) = delete;

  // Replaces `*out` with the sealed `value` of `key` in family number `family`.
  Status Seal(uint8_t family, std::string_view key, std::string_view value, std::string* out) const;
  // Replaces `*out` with the plaintext; Corruption when the value was not sealed by Seal under
  // this data key for this family and key.
  Status Open(uint8_t family, std::string_view key, std::string_view sealed, std::string* out) const;

  const std::string& data_key() const { return data_key_; }

 private:
  std::string data_key_;
};

}  // namespace edgesync
