// Purging deleted keys for good, and the bookkeeping that makes it safe: how far each peer has
// read this node's change log, and the mark a purge leaves for peers that had not.
#include "store/store_impl.h"

namespace edgesync {
namespace {

const char kPurgeMarkKey[] = "purge_mark";

std::string EncodePair(uint64_t a, uint64_t b) { return EncodeBigEndian64(a) + EncodeBigEndian64(b); }

}  // namespace

std::string PeerReadKey(const std::string& peer) { return std::string("peer_read") + '\0' + peer; }

Result<std::optional<Store::PeerRead>> StoreImpl::RecordPeerRead(const std::string& peer, uint64_t seq) {
  MutexLock lock(peer_reads_mu_);
  std::string value;
  Status s = db_->Get(RocksDb::kMeta, PeerReadKey(peer), &value);
  if (!s.ok() && !s.IsNotFound()) return s;
  std::optional<PeerRead> previous;
  if (s.ok() && value.size() == 16) {
    previous = PeerRead{DecodeBigEndian64(value.substr(0, 8)), DecodeBigEndian64(value.substr(8))};
    seq = std::max(seq, previous->seq);
  }
  rocksdb::WriteBatch batch;
  db_->Put(&batch, RocksDb::kMeta, PeerReadKey(peer), EncodePair(seq, NowMillis()));
  // Unsynced: a read mark lost in a crash only makes the next purge wait for that peer longer.
  EDGESYNC_RETURN_IF_ERROR(db_->WriteUnsynced(&batch));
  return previous;
}

Result<std::map<std::string, Store::PeerRead>> StoreImpl::PeerReads() {
  std::map<std::string, PeerRead> out;
  const std::string prefix = PeerReadKey("");
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kMeta);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string value = it->value().ToString();
    if (value.size() != 16) return Status::Corruption("peer read mark of bad size");
    out[it->key().ToString().substr(prefix.size())] = {DecodeBigEndian64(value.substr(0, 8)),
                                                       DecodeBigEndian64(value.substr(8))};
  }
  EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "listing peer read marks"));
  return out;
}

Result<std::vector<std::string>> StoreImpl::PurgeKeys(const PurgePredicate& purge, uint64_t horizon_ms) {
  // Under the commit lock: no commit can add a head to a key between the check and the delete.
  MutexLock commit(commit_mu_);
  auto mark = LastPurge();
  if (!mark.ok()) return mark.status();
  rocksdb::WriteBatch batch;
  std::vector<std::string> purged;
  uint64_t through = mark->through_seq;
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kObjects);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto state = ObjectState::Decode(it->value().ToStringView());
    if (!state.ok()) return state.status();
    const std::string key = it->key().ToString();
    if (!purge(key, state->seq, state->heads)) continue;
    batch.Delete(db_->cf(RocksDb::kObjects), key);
    batch.Delete(db_->cf(RocksDb::kChanges), EncodeBigEndian64(state->seq));
    auto versions = ListVersions(key);
    if (!versions.ok()) return versions.status();
    for (const auto& v : *versions) batch.Delete(db_->cf(RocksDb::kVersions), VersionKey(key, v.Id(key)));
    through = std::max(through, state->seq);
    purged.push_back(key);
  }
  EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "listing keys to purge"));
  if (purged.empty()) return purged;
  db_->Put(&batch, RocksDb::kMeta, kPurgeMarkKey,
            EncodePair(through, std::max(horizon_ms, mark->horizon_ms)));
  EDGESYNC_RETURN_IF_ERROR(db_->WriteSynced(&batch).WithContext("purging deleted keys"));
  return purged;
}

Result<Store::PurgeMark> StoreImpl::LastPurge() {
  std::string value;
  Status s = db_->Get(RocksDb::kMeta, kPurgeMarkKey, &value);
  if (s.IsNotFound()) return PurgeMark{};
  if (!s.ok()) return s;
  if (value.size() != 16) return Status::Corruption("purge mark of bad size");
  return PurgeMark{DecodeBigEndian64(value.substr(0, 8)), DecodeBigEndian64(value.substr(8))};
}

}  // namespace edgesync
