// Checkpoints and pending intents: the store's side of replication bookkeeping.
#include <nlohmann/json.hpp>

#include "store/store_impl.h"

namespace edgesync {
namespace {

std::string CheckpointKey(const std::string& peer, const std::string& epoch) {
  return peer + '\0' + epoch;
}

}  // namespace

Result<uint64_t> StoreImpl::GetCheckpoint(const std::string& peer, const std::string& epoch) {
  std::string value;
  Status s = db_->Get(RocksDb::kPeers, CheckpointKey(peer, epoch), &value);
  if (s.IsNotFound()) return uint64_t{0};
  if (!s.ok()) return s;
  return DecodeBigEndian64(value);
}

Status StoreImpl::RecordIntents(const std::string& peer, const std::string& epoch, uint64_t checkpoint,
                                const std::vector<Intent>& intents) {
  rocksdb::WriteBatch batch;
  for (const auto& intent : intents) {
    nlohmann::json j = {{"record", nlohmann::json::parse(intent.record.Encode())},
                        {"source", intent.source_peer}};
    db_->Put(&batch, RocksDb::kIntents, VersionKey(intent.key, intent.record.Id(intent.key)), j.dump());
  }
  db_->Put(&batch, RocksDb::kPeers, CheckpointKey(peer, epoch), EncodeBigEndian64(checkpoint));
  return db_->WriteSynced(&batch).WithContext("recording intents from " + peer);
}

Result<Store::Intent> DecodeIntent(std::string_view key, std::string_view value) {
  Store::Intent intent;
  intent.key = std::string(key.substr(0, key.find('\0')));
  try {
    auto j = nlohmann::json::parse(value);
    auto r = VersionRecord::Decode(j.at("record").dump());
    if (!r.ok()) return r.status();
    intent.record = std::move(r).value();
    intent.source_peer = j.at("source").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(std::string("intent: ") + e.what());
  }
  return intent;
}

Result<std::vector<Store::Intent>> StoreImpl::PendingIntents() {
  std::vector<Intent> out;
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kIntents);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto intent = DecodeIntent(it->key().ToStringView(), it->value().ToStringView());
    if (!intent.ok()) return intent.status();
    out.push_back(std::move(intent).value());
  }
  EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "listing intents"));
  return out;
}

Status StoreImpl::DropIntent(const std::string& key, const std::string& version_id) {
  rocksdb::WriteBatch batch;
  batch.Delete(db_->cf(RocksDb::kIntents), VersionKey(key, version_id));
  return db_->WriteSynced(&batch);
}

Result<ChunkId> StoreImpl::StoreManifest(const Manifest& manifest) {
  EDGESYNC_RETURN_IF_ERROR(manifest.Validate());
  std::string encoded = manifest.Encode();
  ChunkId id = ManifestId(encoded);
  SharedLock gc_lock(gc_mu_);
  rocksdb::WriteBatch batch;
  db_->Put(&batch, RocksDb::kManifests, std::string(id.AsBytes()), encoded);
  db_->Put(&batch, RocksDb::kSpecs, std::string(id.AsBytes()), manifest.spec_json);
  AddLateRoots(manifest, id);
  EDGESYNC_RETURN_IF_ERROR(db_->WriteUnsynced(&batch));
  return id;
}

Status StoreImpl::ResetCheckpoints() {
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kPeers);
  for (it->SeekToFirst(); it->Valid(); it->Next()) batch.Delete(db_->cf(RocksDb::kPeers), it->key());
  EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "listing checkpoints"));
  return db_->WriteSynced(&batch);
}

}  // namespace edgesync
