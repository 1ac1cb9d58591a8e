// RocksDb's value reads and writes, which seal and open values in an encrypted store.
#include <cstdio>
#include <cstdlib>

#include "store/rocks_db.h"

namespace edgesync {
namespace {

// Sealing fails only when OpenSSL cannot encrypt or draw a random nonce. The write cannot go
// ahead in plaintext, and Put has callers on paths without a Status to return (a batch is built
// in many places before one write), so the process stops here: the last synced commit is intact.
void SealOrDie(const ValueCipher& cipher, RocksDb::Family f, const rocksdb::Slice& key,
               const rocksdb::Slice& value, std::string* out) {
  Status s = cipher.Seal(static_cast<uint8_t>(f), key.ToStringView(), value.ToStringView(), out);
  if (s.ok()) return;
  std::fprintf(stderr, "edgesync store: cannot encrypt a value of %s: %s\n", RocksDb::FamilyName(f),
               s.ToString().c_str());
  std::abort();
}

// Presents the plaintext of an encrypted family's values; a value is opened when first asked for.
class OpeningIterator : public rocksdb::Iterator {
 public:
  OpeningIterator(std::unique_ptr<rocksdb::Iterator> inner, const ValueCipher& cipher, RocksDb::Family f)
      : inner_(std::move(inner)), cipher_(cipher), family_(f) {}

  bool Valid() const override { return inner_->Valid(); }
  void SeekToFirst() override { Moved(); inner_->SeekToFirst(); }
  void SeekToLast() override { Moved(); inner_->SeekToLast(); }
  void Seek(const rocksdb::Slice& target) override { Moved(); inner_->Seek(target); }
  void SeekForPrev(const rocksdb::Slice& target) override { Moved(); inner_->SeekForPrev(target); }
  void Next() override { Moved(); inner_->Next(); }
  void Prev() override { Moved(); inner_->Prev(); }
  rocksdb::Slice key() const override { return inner_->key(); }
  rocksdb::Slice value() const override {
    if (!opened_) {
      opened_ = true;
      Status s = cipher_.Open(static_cast<uint8_t>(family_), inner_->key().ToStringView(),
                              inner_->value().ToStringView(), &plain_);
      if (!s.ok() && failure_.ok()) failure_ = rocksdb::Status::Corruption(
                                        std::string(RocksDb::FamilyName(family_)) + ": " + s.message());
    }
    return plain_;
  }
  rocksdb::Status status() const override { return failure_.ok() ? inner_->status() : failure_; }

 private:
  void Moved() { opened_ = false; }

  std::unique_ptr<rocksdb::Iterator> inner_;
  const ValueCipher& cipher_;
  RocksDb::Family family_;
  mutable std::string plain_;
  mutable bool opened_ = false;
  mutable rocksdb::Status failure_;  // the first value that did not open
};

}  // namespace

Status RocksDb::Get(Family f, const rocksdb::Slice& key, std::string* value, const rocksdb::Snapshot* snapshot) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  // Chunk bytes are read once per get or transfer; caching them would only evict metadata.
  ro.fill_cache = f != kChunks;
  // Their block checksum would be a second pass over every byte: each chunk read is checked
  // against its id (RocksChunkStore::Get) or by its GCM tag when sealed, which catch more.
  ro.verify_checksums = f != kChunks;
  const std::string what = std::string("reading ") + FamilyName(f);
  if (!Sealed(f)) return FromRocks(db_->Get(ro, handles_[f], key, value), what);
  rocksdb::PinnableSlice sealed;
  EDGESYNC_RETURN_IF_ERROR(FromRocks(db_->Get(ro, handles_[f], key, &sealed), what));
  Status s = cipher_->Open(static_cast<uint8_t>(f), key.ToStringView(), sealed.ToStringView(), value);
  return s.ok() ? s : s.WithContext(what);
}

void RocksDb::Put(rocksdb::WriteBatch* batch, Family f, const rocksdb::Slice& key, const rocksdb::Slice& value) {
  thread_local std::string scratch;  // the batch copies what it is given
  batch->Put(handles_[f], key, StoredValue(f, key, value, &scratch));
}

rocksdb::Slice RocksDb::StoredValue(Family f, const rocksdb::Slice& key, const rocksdb::Slice& value,
                                    std::string* scratch) {
  if (!Sealed(f)) return value;
  SealOrDie(*cipher_, f, key, value, scratch);
  return *scratch;
}

std::unique_ptr<rocksdb::Iterator> RocksDb::NewIterator(Family f, const rocksdb::ReadOptions& options) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, handles_[f]));
  if (!Sealed(f)) return it;
  return std::make_unique<OpeningIterator>(std::move(it), *cipher_, f);
}

}  // namespace edgesync
