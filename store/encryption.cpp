// StoreImpl's encryption at rest: the data key at open, and rekeying.
#include "store/data_key_file.h"
#include "store/store_impl.h"

namespace edgesync {

Status StoreImpl::LoadEncryption() {
  const StoreKey* key = options_.encryption_key ? &*options_.encryption_key : nullptr;
  if (key && options_.chunk_tier.bucket)
    return Status::FailedPrecondition("storage.encryption cannot be combined with storage.chunk_tier: the "
                                      "tier's packs would hold chunk bytes in plaintext");
  Result<std::string> data_key = LoadDataKey(options_.path, key);
  if (!data_key.ok()) return data_key.status();
  if (data_key->empty()) return Status::Ok();
  cipher_ = std::make_shared<const ValueCipher>(std::move(data_key).value());
  MutexLock lock(key_mu_);
  key_id_ = key->id();
  return Status::Ok();
}

std::string StoreImpl::EncryptionKeyId() {
  MutexLock lock(key_mu_);
  return key_id_;
}

Status StoreImpl::Rekey(const StoreKey& key) {
  if (!cipher_)
    return Status::FailedPrecondition("the store at " + options_.path.string() +
                                      " is not encrypted (storage.encryption is off); there is no key to rotate");
  MutexLock lock(key_mu_);
  EDGESYNC_RETURN_IF_ERROR(WriteDataKey(options_.path, cipher_->data_key(), key).WithContext("rekeying"));
  key_id_ = key.id();
  return Status::Ok();
}

}  // namespace edgesync
