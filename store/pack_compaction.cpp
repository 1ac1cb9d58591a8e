// Garbage collection of tier packs, after the chunk sweep removed the index entries of dead
// chunks. Live bytes per pack come from one scan of the chunk index at a snapshot; packs
// created after it are not considered (their counts would be partial).
#include <algorithm>
#include <set>

#include "store/store.h"
#include "store/tiered_chunk_store.h"

namespace edgesync {
namespace {

// A collection rewrites at most this many packs' worth of bytes, so one run stays bounded.
constexpr uint64_t kRewritePacksPerRun = 4;

}  // namespace

Status TieredChunkStore::CompactPacks(GcStats* stats) {
  const rocksdb::Snapshot* snap = db_->db()->GetSnapshot();
  struct Release {
    RocksDb* db;
    const rocksdb::Snapshot* snap;
    ~Release() { db->db()->ReleaseSnapshot(snap); }
  } release{db_, snap};

  auto records = PackRecords(snap);
  if (!records.ok()) return records.status();
  std::map<uint64_t, uint64_t> live_bytes;
  std::map<uint64_t, std::vector<std::pair<ChunkId, ChunkLocation>>> live_chunks;
  {
    rocksdb::ReadOptions ro;
    ro.snapshot = snap;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kChunkIndex, ro);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto location = DecodeChunkIndexValue(it->value().ToStringView());
      auto id = ChunkId::FromBytes(it->key().ToStringView());
      if (!location.ok() || !id || !location->pack) continue;
      live_bytes[location->pack->pack] += location->size;
      live_chunks[location->pack->pack].emplace_back(*id, *location);
    }
    EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "compacting packs: scanning the chunk index"));
  }

  rocksdb::WriteBatch retire;
  uint64_t rewrite_budget = kRewritePacksPerRun * options_.pack_bytes;
  for (const auto& [pack_id, record] : *records) {
    const uint64_t live = live_bytes[pack_id];
    if (live == 0) {
      AddRetire(&retire, pack_id);
      ++stats->packs_retired;
      continue;
    }
    const bool sparse = static_cast<double>(live) < options_.rewrite_below_live_share * record.data_bytes;
    if (!sparse || live > rewrite_budget) continue;
    EDGESYNC_RETURN_IF_ERROR(RewritePack(pack_id, live_chunks[pack_id]));
    rewrite_budget -= live;
    ++stats->packs_rewritten;
    ++stats->packs_retired;
  }
  if (retire.Count() > 0) {
    EDGESYNC_RETURN_IF_ERROR(db_->WriteUnsynced(&retire));
    ++generation_;
  }
  return DeleteOrphanPacks(stats);
}

Status TieredChunkStore::RewritePack(uint64_t pack_id,
                                     const std::vector<std::pair<ChunkId, ChunkLocation>>& live) {
  const std::string name = PackName(pack_id);
  std::string old_pack;
  EDGESYNC_RETURN_IF_ERROR(options_.bucket->Read(name, 0, std::nullopt, [&](std::string_view bytes) {
    old_pack.append(bytes);
    return Status::Ok();
  }).WithContext("rewriting " + name));
  // The pack's own index must agree with ours before its bytes move anywhere.
  auto footer = DecodePackFooter(old_pack, old_pack.size());
  if (!footer.ok()) return footer.status().WithContext(name);
  auto index = DecodePackIndex(std::string_view(old_pack).substr(footer->index_offset,
                                                                 footer->entries * kPackIndexEntryBytes),
                               *footer, old_pack);
  if (!index.ok()) return index.status().WithContext(name);
  std::map<uint64_t, const PackEntry*> by_offset;
  for (const auto& e : *index) by_offset[e.offset] = &e;

  PackBuilder builder;
  for (const auto& [id, location] : live) {
    auto entry = by_offset.find(location.pack->offset);
    if (entry == by_offset.end() || entry->second->id != id || entry->second->size != location.size)
      return Status::Corruption(name + " does not hold chunk " + id.Hex() + " where the index says");
    std::string_view bytes = std::string_view(old_pack).substr(location.pack->offset, location.size);
    if (ChunkId::Of(bytes.data(), bytes.size()) != id)
      return Status::Corruption("chunk " + id.Hex() + " in " + name + " does not match its id");
    builder.Add(id, bytes);
  }
  const std::vector<PackEntry> entries = builder.entries();
  std::string pack = builder.Seal();
  rocksdb::WriteBatch batch;
  auto new_id = Upload(entries, pack, &batch);
  if (!new_id.ok()) return new_id.status();

  // Repoint the entries that still name the old pack; an entry rewritten meanwhile (a writer
  // stored the chunk again elsewhere) or deleted is left alone.
  for (size_t i = 0; i < entries.size(); ++i) {
    auto current = local_->Locate(entries[i].id);
    if (!current.ok() || !current->pack || current->pack->pack != pack_id ||
        current->pack->offset != live[i].second.pack->offset)
      continue;
    db_->Put(&batch, RocksDb::kChunkIndex, rocksdb::Slice(entries[i].id.AsBytes().data(), 16),
              EncodePackIndexValue(entries[i].size, {*new_id, entries[i].offset}));
  }
  AddRetire(&batch, pack_id);
  Status s = db_->WriteUnsynced(&batch);
  ++generation_;
  Release(*new_id);
  return s;
}

Status TieredChunkStore::DeleteOrphanPacks(GcStats* stats) {
  auto listed = options_.bucket->List("packs/");
  if (!listed.ok()) return listed.status().WithContext("listing packs");
  const std::vector<uint64_t> retired_list = RetiredPacks();
  const std::set<uint64_t> retired(retired_list.begin(), retired_list.end());
  for (const auto& blob : *listed) {
    uint64_t pack_id;
    if (!ParsePackName(blob.name, &pack_id) || retired.count(pack_id)) continue;
    // The in-flight set first, the record second: an upload registers before its PUT and
    // leaves only after its record is written, so a listed pack is in one or the other.
    if (IsInflight(pack_id)) continue;
    auto record = LoadPackRecord(pack_id);
    if (!record.ok()) return record.status();
    if (*record) continue;
    EDGESYNC_RETURN_IF_ERROR(options_.bucket->Delete(blob.name));
    cache_->DropPack(pack_id);
    ++stats->orphan_packs_deleted;
  }
  return Status::Ok();
}

}  // namespace edgesync
