// Sha256: incremental SHA-256 over OpenSSL's EVP interface (SHA-NI accelerated where present).
//
// Needs external synchronization; one instance hashes one stream.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace edgesync {

class Sha256 {
 public:
  using Digest = std::array<uint8_t, 32>;

  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const void* data, size_t size);
  // Finishes the digest and resets for reuse.
  Digest Finish();
  std::string FinishHex();

  static std::string HexOf(const void* data, size_t size);

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace edgesync
