#include "store/value_cipher.h"

#include <openssl/crypto.h>

#include <cassert>

namespace edgesync {
namespace {

constexpr char kFormatGcm = 1;

// family byte || key. Thread-local so sealing a small value allocates nothing.
std::string_view AssociatedData(uint8_t family, std::string_view key) {
  thread_local std::string aad;
  aad.assign(1, static_cast<char>(family));
  aad.append(key);
  return aad;
}

}  // namespace

ValueCipher::ValueCipher(std::string data_key) : data_key_(std::move(data_key)) {
  assert(data_key_.size() == kAesKeyBytes);
}

ValueCipher::~ValueCipher() { OPENSSL_cleanse(data_key_.data(), data_key_.size()); }

Status ValueCipher::Seal(uint8_t family, std::string_view key, std::string_view value, std::string* out) const {
  out->reserve(value.size() + kOverheadBytes);
  out->assign(1, kFormatGcm);
  return GcmSeal(data_key_, AssociatedData(family, key), value, out);
}

Status ValueCipher::Open(uint8_t family, std::string_view key, std::string_view sealed, std::string* out) const {
  if (sealed.empty() || sealed[0] != kFormatGcm) {
    out->clear();
    return Status::Corruption("stored value is not encrypted in a format this version reads (a plaintext "
                              "value in an encrypted store?)");
  }
  Status s = GcmOpen(data_key_, AssociatedData(family, key), sealed.substr(1), out);
  if (!s.ok()) return Status::Corruption("stored value does not decrypt under the store's data key (altered, or moved "
                                         "from another key)");
  return Status::Ok();
}

}  // namespace edgesync
