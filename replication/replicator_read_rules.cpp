// Serving under read rules (meta/acl's "allow": "read", read_acl.h): a peer is sent only what
// its certificate may read. A manifest or chunk request names the version it is for; it is
// answered only when the peer may read that key and this node holds that version, and a chunk
// only when it is in that version's manifest. So a chunk shared with a key the peer may not
// read is served as part of the readable version, and asking for any other chunk id gets the
// same "not found" whether this node holds it or not: the peer learns of a chunk only through a
// manifest it may read. The rules are evaluated at each request against the live meta/acl.
#include "replication/replicator_impl.h"

namespace edgesync::replication {
namespace {

constexpr size_t kChunkSetCacheEntries = 32;
// Delta bases may be chunks of this many of the key's newest retained versions.
constexpr size_t kBaseVersions = 8;

}  // namespace

std::shared_ptr<const ReadAcl> Replicator::Impl::ReadRules() {
  if (!options_.read_authority) return nullptr;
  auto rules = options_.read_authority->acl();
  return rules->enforced() ? rules : nullptr;
}

bool Replicator::Impl::MayRead(const std::shared_ptr<const ReadAcl>& rules, const transport::PeerInfo& peer,
                               const std::string& key) {
  return !rules || rules->Check(ReadAuthority::ReaderOf(peer), key).ok();
}

Result<Replicator::Impl::ServableVersion> Replicator::Impl::ServableTo(const ReadAcl& rules,
                                                                      const transport::PeerInfo& peer,
                                                                      const RequestedVersion& version) {
  if (version.key.empty())
    return Status::PermissionDenied("the request names no version (a peer older than read rules)");
  EDGESYNC_RETURN_IF_ERROR(rules.Check(ReadAuthority::ReaderOf(peer), version.key));
  auto key = ObjectKey::Parse(version.key);
  if (!key.ok()) return key.status();  // validated on decode
  std::optional<ChunkId> manifest_id;
  if (auto held = store_.GetVersion(*key, version.version_id); held.ok() && !held->record.tombstone) {
    manifest_id = held->record.manifest_id;
  } else {
    MutexLock lock(mu_);
    auto it = transfers_.find(TransferKey(version.key, version.version_id));
    if (it != transfers_.end() && it->second->have_manifest) manifest_id = it->second->record.manifest_id;
  }
  if (!manifest_id) return Status::NotFound("version " + version.version_id + " of " + version.key + " is not held here");
  auto chunks = ChunksOf(*manifest_id);
  if (!chunks.ok()) return chunks.status();
  return ServableVersion{*manifest_id, std::move(chunks).value()};
}

Status Replicator::Impl::MayServeManifest(const transport::PeerInfo& peer, const ManifestRequest& request) {
  auto rules = ReadRules();
  if (!rules) return Status::Ok();
  auto servable = ServableTo(*rules, peer, request.version);
  Status s = servable.status();
  if (servable.ok() && servable->manifest_id != request.manifest_id)
    s = Status::PermissionDenied("manifest " + request.manifest_id.Hex() + " is not the one of version " +
                                 request.version.version_id);
  if (s.code() == Status::Code::kPermissionDenied)
    options_.read_authority->Refused(ReadRefusal::kManifest, peer.node_id,
                                     request.version.key.empty() ? "(no key)" : request.version.key, 1, s.message());
  return s;
}

std::vector<ChunkId> Replicator::Impl::WithholdUnreadable(const transport::PeerInfo& peer, ChunkRequest& request) {
  auto rules = ReadRules();
  if (!rules) return {};
  auto servable = ServableTo(*rules, peer, request.version);
  const std::string key = request.version.key.empty() ? "(no key)" : request.version.key;
  if (!servable.ok()) {
    std::vector<ChunkId> withheld = std::move(request.ids);
    request.ids.clear();
    request.bases.clear();
    if (servable.status().code() == Status::Code::kPermissionDenied)
      options_.read_authority->Refused(ReadRefusal::kChunk, peer.node_id, key, withheld.size(),
                                       servable.status().message());
    return withheld;
  }
  ChunkRequest kept;
  kept.priority = request.priority;
  kept.version = request.version;
  std::vector<ChunkId> withheld;
  std::shared_ptr<const ChunkSet> key_chunks;  // read once, when a base is not in the version
  for (size_t i = 0; i < request.ids.size(); ++i) {
    if (servable->chunks->count(request.ids[i]) == 0) {
      withheld.push_back(request.ids[i]);
      continue;
    }
    kept.ids.push_back(request.ids[i]);
    if (request.bases.empty()) continue;
    std::optional<ChunkId> base = request.bases[i];
    if (base && servable->chunks->count(*base) == 0) {
      if (!key_chunks) key_chunks = ChunksOfKey(ObjectKey::Parse(request.version.key).value());
      if (key_chunks->count(*base) == 0) base.reset();
    }
    kept.bases.push_back(base);
  }
  if (!withheld.empty())
    options_.read_authority->Refused(ReadRefusal::kChunk, peer.node_id, key, withheld.size(),
                                     std::to_string(withheld.size()) + " chunk(s) asked for are not in version " +
                                         request.version.version_id + "'s manifest (first " + withheld[0].Hex() + ")");
  request = std::move(kept);
  return withheld;
}

Result<std::shared_ptr<const Replicator::Impl::ChunkSet>> Replicator::Impl::ChunksOf(const ChunkId& manifest_id) {
  {
    MutexLock lock(chunk_sets_mu_);
    if (auto it = chunk_sets_.find(manifest_id); it != chunk_sets_.end()) return it->second;
  }
  auto manifest = store_.ReadManifest(manifest_id);
  if (!manifest.ok()) return manifest.status();
  auto chunks = std::make_shared<ChunkSet>();
  for (const auto& f : manifest->files)
    for (const auto& c : f.chunks) chunks->insert(c.id);
  MutexLock lock(chunk_sets_mu_);
  if (chunk_sets_.size() >= kChunkSetCacheEntries) chunk_sets_.erase(chunk_sets_.begin());
  chunk_sets_[manifest_id] = chunks;
  return std::shared_ptr<const ChunkSet>(std::move(chunks));
}

std::shared_ptr<const Replicator::Impl::ChunkSet> Replicator::Impl::ChunksOfKey(const ObjectKey& key) {
  auto all = std::make_shared<ChunkSet>();
  auto history = store_.History(key);
  if (!history.ok()) return all;
  for (size_t i = 0; i < history->size() && i < kBaseVersions; ++i) {
    const VersionRecord& record = (*history)[i].record;
    if (record.tombstone) continue;
    if (auto chunks = ChunksOf(record.manifest_id); chunks.ok()) all->insert((*chunks)->begin(), (*chunks)->end());
  }
  return all;
}

void Replicator::Impl::FollowReadRules() {
  if (!options_.read_authority) return;
  auto rules = options_.read_authority->acl();
  {
    MutexLock lock(mu_);
    const bool changed = read_rules_seen_ && !(*read_rules_seen_ == *rules);
    read_rules_seen_ = rules;
    if (!changed) return;
  }
  Log(5, "the read rules changed (" + rules->Describe() + "): reading every peer's log again");
  if (auto asked = StartResync({}); !asked.ok()) Log(4, "reading the peers' logs again: " + asked.status().ToString());
}

}  // namespace edgesync::replication
