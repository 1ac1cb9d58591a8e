// The store's incarnation: the name its writes carry in version vectors, the epoch under which
// peers read its change log, how a store restored from an older copy notices, and what is done
// when two versions share a vector anyway (identity clashes). See docs/replication.md.
#include <nlohmann/json.hpp>

#include "store/store_impl.h"

namespace edgesync {
namespace {

using json = nlohmann::json;

const char kActorKey[] = "actor";
constexpr size_t kActorEpochDigits = 8;
constexpr size_t kMigrationBatch = 10000;  // entries rewritten per synced batch

std::string ClashKey(const std::string& key, const std::string& remote_version) {
  return std::string("clash") + '\0' + key + '\0' + remote_version;
}

std::string ActorFor(const std::string& node_id, const std::string& epoch) {
  return node_id + "." + epoch.substr(0, kActorEpochDigits);
}

// Whether `actor` names an incarnation of `node_id` (or is the bare node id of a store made
// before incarnations).
bool ActorOfNode(const std::string& actor, const std::string& node_id) {
  return actor == node_id || (actor.size() > node_id.size() + 1 && actor.compare(0, node_id.size(), node_id) == 0 &&
                              actor[node_id.size()] == '.');
}

// Re-keys the entries of a column family keyed "key\0version id" whose id is stale.
Status RekeyVersions(RocksDb& db, RocksDb::Family family,
                     const std::function<Result<VersionRecord>(std::string_view key, std::string_view value)>& record_of) {
  std::unique_ptr<rocksdb::Iterator> it = db.NewIterator(family);
  rocksdb::WriteBatch batch;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string k = it->key().ToString();
    const size_t nul = k.find('\0');
    if (nul == std::string::npos) return Status::Corruption("version entry without a key separator");
    const std::string key = k.substr(0, nul);
    auto record = record_of(it->key().ToStringView(), it->value().ToStringView());
    if (!record.ok()) return record.status().WithContext("migrating versions of " + key);
    const std::string id = record->Id(key);
    if (k.compare(nul + 1, std::string::npos, id) == 0) continue;
    batch.Delete(db.cf(family), k);
    db.Put(&batch, family, key + '\0' + id, it->value());
    if (batch.Count() >= kMigrationBatch) {
      EDGESYNC_RETURN_IF_ERROR(db.WriteSynced(&batch));
      batch.Clear();
    }
  }
  EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "migrating version ids"));
  return batch.Count() > 0 ? db.WriteSynced(&batch) : Status::Ok();
}

}  // namespace

std::string StoreImpl::epoch() const {
  MutexLock lock(incarnation_mu_);
  return epoch_;
}

std::string StoreImpl::actor() const {
  MutexLock lock(incarnation_mu_);
  return actor_;
}

Status StoreImpl::LoadIncarnation(bool created, int stored_schema) {
  MutexLock commit_lock(commit_mu_);
  rocksdb::WriteBatch batch;
  std::string actor;
  if (created) {
    actor = ActorFor(node_id_, CommitEpoch());
    db_->Put(&batch, RocksDb::kMeta, kActorKey, actor);
  } else if (stored_schema < 2) {
    // Schema 1: ids hashed the vector alone, and the node counted under its bare id.
    EDGESYNC_RETURN_IF_ERROR(MigrateVersionIds());
    actor = node_id_;
    db_->Put(&batch, RocksDb::kMeta, kActorKey, actor);
    db_->Put(&batch, RocksDb::kMeta, kMetaSchemaKey, std::to_string(kSchemaVersion));
  } else {
    EDGESYNC_RETURN_IF_ERROR(db_->Get(RocksDb::kMeta, kActorKey, &actor).WithContext("reading the store's actor"));
  }
  {
    MutexLock lock(incarnation_mu_);
    actor_ = actor;
  }
  if (batch.Count() > 0) EDGESYNC_RETURN_IF_ERROR(db_->WriteSynced(&batch));

  std::string why;
  if (!ActorOfNode(actor, node_id_)) why = "the store's node id changed to " + node_id_;
  if (!options_.incarnation_file.empty()) {
    auto marker = IncarnationMarker::Open(options_.incarnation_file);
    if (!marker.ok()) return marker.status();
    marker_ = std::move(marker).value();
    const std::optional<IncarnationMarker::Mark>& mark = marker_->loaded();
    if (!created && mark && why.empty()) {
      if (mark->epoch != CommitEpoch()) {
        why = "this store (epoch " + CommitEpoch() + ") is not the one this node used last (epoch " + mark->epoch +
              ", per " + options_.incarnation_file.string() + "): it was restored from an older copy or swapped";
      } else if (mark->seq > last_seq_) {
        why = "this store's change log ends at " + std::to_string(last_seq_) + " but this node had written up to " +
              std::to_string(mark->seq) + " (per " + options_.incarnation_file.string() +
              "): it was restored from an older copy";
      }
    }
  }
  if (!why.empty()) return StartIncarnation(why);
  RecordMark();
  return Status::Ok();
}

Status StoreImpl::MigrateVersionIds() {
  EDGESYNC_RETURN_IF_ERROR(RekeyVersions(*db_, RocksDb::kVersions, [](std::string_view, std::string_view value) {
    return VersionRecord::Decode(value);
  }));
  return RekeyVersions(*db_, RocksDb::kIntents, [](std::string_view key, std::string_view value) -> Result<VersionRecord> {
    auto intent = DecodeIntent(key, value);
    if (!intent.ok()) return intent.status();
    return std::move(intent->record);
  });
}

Status StoreImpl::Reincarnate(const std::string& why) {
  MutexLock commit_lock(commit_mu_);
  return StartIncarnation(why);
}

Status StoreImpl::StartIncarnation(const std::string& why) {
  const std::string epoch = RandomHex(16);
  const std::string actor = ActorFor(node_id_, epoch);
  rocksdb::WriteBatch batch;
  db_->Put(&batch, RocksDb::kMeta, kMetaEpochKey, epoch);
  db_->Put(&batch, RocksDb::kMeta, kActorKey, actor);
  // Peers' read marks measured the old log, whose positions the new one reuses; a purge must
  // not count on them.
  const std::string prefix = PeerReadKey("");
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kMeta);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
    batch.Delete(db_->cf(RocksDb::kMeta), it->key());
  EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "listing peer read marks"));
  EDGESYNC_RETURN_IF_ERROR(db_->WriteSynced(&batch).WithContext("starting a new store incarnation"));
  {
    MutexLock lock(incarnation_mu_);
    epoch_ = epoch;
    actor_ = actor;
  }
  ++reincarnations_;
  RecordMark();
  Warn("new store incarnation " + actor + " (epoch " + epoch + "): " + why +
       "; new writes count under the new name and peers read this node's log from zero");
  return Status::Ok();
}

void StoreImpl::RecordMark() {
  if (!marker_) return;
  Status s = marker_->Record({CommitEpoch(), last_seq_});
  if (!s.ok()) Warn(s.ToString() + " (a restore of this store from an older copy may go unnoticed)");
}

Result<std::optional<VersionInfo>> StoreImpl::FindClash(const ObjectKey& key, const VersionRecord& record,
                                                        const ObjectState* state) {
  if (!state) return std::optional<VersionInfo>();
  bool dominated = false;
  for (const VersionRecord& h : state->heads) {
    VectorOrder order = h.vector.Compare(record.vector);
    if (order == VectorOrder::kEqual)
      return h.SameContent(record) ? std::optional<VersionInfo>()
                                   : std::optional<VersionInfo>(VersionInfo{key.str(), h.Id(key.str()), h});
    dominated |= order == VectorOrder::kDominates;
  }
  if (!dominated) return std::optional<VersionInfo>();
  // An older version of this node's with the same vector: only retained versions can tell.
  auto versions = ListVersions(key.str());
  if (!versions.ok()) return versions.status();
  for (const VersionRecord& v : *versions)
    if (v.vector == record.vector && !v.SameContent(record))
      return std::optional<VersionInfo>(VersionInfo{key.str(), v.Id(key.str()), v});
  return std::optional<VersionInfo>();
}

Result<std::optional<VersionInfo>> StoreImpl::CheckIdentity(const ObjectKey& key, const VersionRecord& record,
                                                            const std::string& peer) {
  Result<std::optional<VersionInfo>> clash = std::optional<VersionInfo>();
  {
    MutexLock commit_lock(commit_mu_);
    auto state = LoadState(key.str());
    if (!state.ok() && !state.status().IsNotFound()) return state.status();
    clash = FindClash(key, record, state.ok() ? &state.value() : nullptr);
  }
  if (clash.ok() && *clash) EDGESYNC_RETURN_IF_ERROR(RecordClash(key, **clash, record, peer));
  return clash;
}

Status StoreImpl::RecordClash(const ObjectKey& key, const VersionInfo& local, const VersionRecord& remote,
                              const std::string& peer) {
  const std::string remote_id = remote.Id(key.str());
  const std::string k = ClashKey(key.str(), remote_id);
  std::string existing;
  Status s = db_->Get(RocksDb::kMeta, k, &existing);
  if (s.ok()) return Status::Ok();  // known already: recorded and logged once
  if (!s.IsNotFound()) return s;
  json j = {{"key", key.str()},           {"vector", remote.vector.ToString()}, {"local", local.id},
            {"remote", remote_id},        {"author", remote.author},            {"peer", peer},
            {"at_ms", NowMillis()}};
  rocksdb::WriteBatch batch;
  db_->Put(&batch, RocksDb::kMeta, k, j.dump());
  EDGESYNC_RETURN_IF_ERROR(db_->WriteSynced(&batch).WithContext("recording an identity clash"));
  Warn("identity clash on " + key.str() + ": version " + remote_id + " by " + remote.author +
       (peer.empty() ? std::string() : " (from " + peer + ")") + " carries the vector " + remote.vector.ToString() +
       " of local version " + local.id + " with other content; refused. A store of " + remote.author +
       " reused counters (restored from an old copy?): re-put the right content there");
  return Status::Ok();
}

Result<std::vector<Store::IdentityClash>> StoreImpl::IdentityClashes() {
  std::vector<IdentityClash> out;
  const std::string prefix = std::string("clash") + '\0';
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kMeta);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    try {
      json j = json::parse(it->value().ToStringView());
      out.push_back({j.at("key").get<std::string>(), j.at("vector").get<std::string>(),
                     j.at("local").get<std::string>(), j.at("remote").get<std::string>(),
                     j.at("author").get<std::string>(), j.at("peer").get<std::string>(),
                     j.at("at_ms").get<uint64_t>()});
    } catch (const json::exception& e) {
      return Status::Corruption(std::string("identity clash record: ") + e.what());
    }
  }
  EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "listing identity clashes"));
  return out;
}

}  // namespace edgesync
