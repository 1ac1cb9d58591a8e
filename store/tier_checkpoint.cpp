// Metadata checkpoints of a tiered store, and restoring a store from the newest one.
//
// A checkpoint is RocksDB's own (hard links of the live SST files plus a fresh MANIFEST, after
// a memtable flush), uploaded file by file under meta/<name>/; meta/LATEST is replaced only
// after every file is up, so a crash mid-upload leaves the previous checkpoint in force. The
// files are small on a tiered node: chunk bytes live in packs, RocksDB holds the index.
#include <rocksdb/utilities/checkpoint.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "store/store.h"
#include "store/tiered_chunk_store.h"

namespace edgesync {
namespace {

constexpr char kLatestBlob[] = "meta/LATEST";

uint64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Result<nlohmann::json> ReadLatest(TierBucket& bucket) {
  std::string text;
  Status s = bucket.Read(kLatestBlob, 0, std::nullopt, [&](std::string_view bytes) {
    text.append(bytes);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.contains("checkpoint") || !json["checkpoint"].is_string() ||
      !json.contains("files") || !json["files"].is_array())
    return Status::Corruption(bucket.Describe() + "/" + kLatestBlob + " is not a checkpoint record");
  return json;
}

Status DeleteAllUnder(TierBucket& bucket, const std::string& prefix) {
  auto blobs = bucket.List(prefix);
  if (!blobs.ok()) return blobs.status();
  for (const auto& blob : *blobs) EDGESYNC_RETURN_IF_ERROR(bucket.Delete(blob.name));
  return Status::Ok();
}

}  // namespace

Result<bool> TieredChunkStore::Checkpoint(uint64_t last_seq) {
  MutexLock lock(checkpoint_mu_);
  const uint64_t generation = generation_.load();
  if (checkpointed_once_ && last_seq == checkpointed_seq_ && generation == checkpointed_generation_) return false;
  TierBucket& bucket = *options_.bucket;
  const std::string root = bucket.Describe();

  // Packs retired before the checkpoint starts are named by no record in it.
  const std::vector<uint64_t> retired = RetiredPacks();
  std::string previous;
  if (auto latest = ReadLatest(bucket); latest.ok()) previous = (*latest)["checkpoint"];
  else if (!latest.status().IsNotFound()) return latest.status().WithContext("checkpoint of " + root);

  std::error_code ec;
  std::filesystem::remove_all(scratch_dir_, ec);
  rocksdb::Checkpoint* raw = nullptr;
  EDGESYNC_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_->db(), &raw), "creating a checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  EDGESYNC_RETURN_IF_ERROR(FromRocks(checkpoint->CreateCheckpoint(scratch_dir_.string()), "creating a checkpoint"));
  struct RemoveScratch {
    std::filesystem::path dir;
    ~RemoveScratch() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } remove_scratch{scratch_dir_};

  char name[48];
  std::snprintf(name, sizeof(name), "meta/%016" PRIx64 "-%08" PRIx32, NowMs(),
                static_cast<uint32_t>(std::random_device{}()));
  nlohmann::json files = nlohmann::json::array();
  for (const auto& entry : std::filesystem::directory_iterator(scratch_dir_, ec)) {
    const std::string file = entry.path().filename().string();
    EDGESYNC_RETURN_IF_ERROR(bucket.PutFile(std::string(name) + "/" + file, entry.path()).WithContext("checkpoint"));
    files.push_back({{"name", file}, {"size", entry.file_size()}});
  }
  if (ec) return Status::IoError("reading checkpoint " + scratch_dir_.string() + ": " + ec.message());
  nlohmann::json latest = {{"checkpoint", name}, {"files", files}, {"created_ms", NowMs()}, {"seq", last_seq}};
  EDGESYNC_RETURN_IF_ERROR(bucket.Put(kLatestBlob, latest.dump()).WithContext("checkpoint"));

  // The new checkpoint is in force: the previous one and the packs only it could name go.
  if (!previous.empty() && previous != name) EDGESYNC_RETURN_IF_ERROR(DeleteAllUnder(bucket, previous + "/"));
  rocksdb::WriteBatch forget;
  for (uint64_t pack_id : retired) {
    EDGESYNC_RETURN_IF_ERROR(bucket.Delete(PackName(pack_id)));
    cache_->DropPack(pack_id);
    AddForget(&forget, pack_id);
  }
  if (forget.Count() > 0) EDGESYNC_RETURN_IF_ERROR(db_->WriteUnsynced(&forget));

  checkpointed_once_ = true;
  checkpointed_seq_ = last_seq;
  checkpointed_generation_ = generation;
  ++checkpoints_;
  last_checkpoint_ms_ = NowMs();
  checkpoint_seq_ = last_seq;
  return true;
}

Status Store::RestoreFromTier(TierBucket& bucket, const std::filesystem::path& store_path) {
  std::error_code ec;
  if (std::filesystem::exists(store_path, ec) && !std::filesystem::is_empty(store_path, ec))
    return Status::FailedPrecondition("refusing to restore into " + store_path.string() +
                                      ": it is not empty (move it away first)");
  auto latest = ReadLatest(bucket);
  if (latest.status().IsNotFound())
    return Status::NotFound(bucket.Describe() + " holds no metadata checkpoint to restore from");
  if (!latest.ok()) return latest.status();
  const std::string checkpoint = (*latest)["checkpoint"];
  const std::filesystem::path staging = store_path.string() + ".restoring";
  std::filesystem::remove_all(staging, ec);
  std::filesystem::create_directories(staging, ec);
  if (ec) return Status::IoError("cannot create " + staging.string() + ": " + ec.message());
  for (const auto& file : (*latest)["files"]) {
    if (!file.contains("name") || !file["name"].is_string() || !file.contains("size") ||
        !file["size"].is_number_unsigned())
      return Status::Corruption("checkpoint record names a file without name or size");
    const std::string name = file["name"];
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
      return Status::Corruption("checkpoint record names an unsafe file '" + name + "'");
    std::ofstream out(staging / name, std::ios::binary | std::ios::trunc);
    uint64_t written = 0;
    EDGESYNC_RETURN_IF_ERROR(bucket.Read(checkpoint + "/" + name, 0, std::nullopt, [&](std::string_view bytes) {
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      written += bytes.size();
      return out ? Status::Ok() : Status::IoError("writing " + (staging / name).string());
    }).WithContext("restoring " + checkpoint));
    out.close();
    if (!out || written != file["size"].get<uint64_t>())
      return Status::IoError("restoring " + checkpoint + "/" + name + ": got " + std::to_string(written) +
                             " bytes of " + std::to_string(file["size"].get<uint64_t>()));
  }
  std::filesystem::remove(store_path, ec);  // empty, or missing
  std::filesystem::create_directories(store_path.parent_path(), ec);
  std::filesystem::rename(staging, store_path, ec);
  if (ec) return Status::IoError("moving the restored store to " + store_path.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace edgesync
