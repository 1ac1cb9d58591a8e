// StoreKey: the operator's key-encryption key of an encrypted store (storage.encryption). It
// never encrypts data itself; it wraps the store's random data key (data_key_file.h), so a new
// operator key means rewrapping 32 bytes, not rewriting the store.
//
// The key file holds 32 bytes: raw, or as 64 hex digits (a trailing newline is allowed). It
// must be a regular file that neither group nor others may read, since its bytes open every
// value of the store; under systemd it is a credential ($CREDENTIALS_DIRECTORY/<name>, from
// LoadCredentialEncrypted=), which systemd creates with such a mode. Immutable; thread-safe. The
// key bytes are wiped when the object goes away and never appear in a message.
#pragma once

#include <filesystem>
#include <string>

#include "base/status.h"

namespace edgesync {

class StoreKey {
 public:
  // PermissionDenied naming the file's mode when group or others may read it; InvalidArgument
  // for another length or format; IoError when it cannot be read. Messages name `path`.
  static Result<StoreKey> FromFile(const std::filesystem::path& path);
  // REQUIRES: bytes.size() == 32. `source` names the key in messages (tests, benchmarks).
  static StoreKey FromBytes(std::string bytes, std::string source);

  StoreKey(StoreKey&&) = default;
  StoreKey& operator=(StoreKey&&) = default;
  StoreKey(const StoreKey& other) : bytes_(other.bytes_), source_(other.source_) {}
  StoreKey& operator=(const StoreKey&) = delete;
  ~StoreKey();

  const std::string& bytes() const { return bytes_; }
  // Where the key came from: the key file's path.
  const std::string& source() const { return source_; }
  // 16 hex digits naming the key without revealing it (a hash of it), kept beside the wrapped
  // data key so that a wrong key can be told from a damaged file.
  std::string id() const;

 private:
  StoreKey(std::string bytes, std::string source) : bytes_(std::move(bytes)), source_(std::move(source)) {}
  std::string bytes_;
  std::string source_;
};

}  // namespace edgesync
