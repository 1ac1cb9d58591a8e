// Partial holders: a node fetching a version tells its peers which chunks of it it holds
// (ChunkAvailability, a bitmap over the manifest's distinct chunks) when the fetch starts, as
// received chunks are stored and once it is applied, and hears the same from peers fetching it
// too, so that the chunk schedule can ask them instead of a full holder. Serving needs nothing
// here: a peer's chunk requests are answered from the chunk store whether or not the version
// is visible yet (ServeChunks; under read rules, for a version being fetched here too).
#include "replication/replicator_impl.h"

namespace edgesync::replication {

void Replicator::Impl::IndexChunks(Transfer& t, const std::unordered_set<ChunkId, ChunkIdHash>& present) {
  t.positions.clear();
  t.held.clear();
  t.advertised = t.received.size();  // those that are not yet readable are fetched again
  t.unadvertised_bytes = 0;
  t.flushed_at = std::chrono::steady_clock::now();
  for (const auto& f : t.manifest.files)
    for (const auto& c : f.chunks) t.positions.emplace(c.id, static_cast<uint32_t>(t.positions.size()));
  if (t.positions.size() > kMaxAvailabilityChunks) {
    t.positions.clear();  // too large to advertise: fetched from full holders only
    return;
  }
  t.held.assign((t.positions.size() + 7) / 8, '\0');
  for (const auto& id : present) {
    const uint32_t p = t.positions.at(id);
    t.held[p / 8] = static_cast<char>(t.held[p / 8] | (1u << (p % 8)));
  }
}

void Replicator::Impl::MarkHeld(Transfer& t, size_t upto) {
  upto = std::min(upto, t.received.size());  // a failed version's chunks were evicted meanwhile
  for (; t.advertised < upto; ++t.advertised) {
    auto it = t.positions.find(t.received[t.advertised].id);
    if (it == t.positions.end()) continue;
    t.held[it->second / 8] = static_cast<char>(t.held[it->second / 8] | (1u << (it->second % 8)));
  }
}

void Replicator::Impl::SendAvailability(const Transfer& t, const std::vector<std::string>& to, bool fetching) {
  if (t.positions.empty()) return;
  const std::string payload = Encode(ChunkAvailability{t.key, t.record.Id(t.key), t.held, fetching && t.fetching_all});
  std::vector<std::string> all;
  if (to.empty())
    for (const auto& [node, p] : peers_) all.push_back(node);
  const auto rules = ReadRules();
  for (const auto& node : to.empty() ? all : to) {
    auto link = LinkOf(node);
    // Under read rules, only peers that may read the version hear that it is being fetched.
    if (link && link->peer().protocol_version >= kAvailabilityProtocolVersion && t.dropped.count(node) == 0 &&
        MayRead(rules, link->peer(), t.key))
      Send(link, Lane::kControl, kChunkAvailability, payload);
  }
}

Status Replicator::Impl::HandleAvailability(const std::string& node, const std::string& payload) {
  auto m = DecodeChunkAvailability(payload);
  if (!m.ok()) return m.status();
  MutexLock lock(mu_);
  auto it = transfers_.find(TransferKey(m->key, m->version_id));
  // Not fetching it (or its manifest is not here yet): ours, sent when the fetch starts, makes
  // the peer answer with its own.
  if (it == transfers_.end() || !it->second->verifier || it->second->positions.empty()) return Status::Ok();
  Transfer& t = *it->second;
  if (t.dropped.count(node)) return Status::Ok();
  if (m->held.size() != t.held.size())
    return Status::InvalidArgument("chunk availability for " + m->key + " version " + m->version_id + ": " +
                                   std::to_string(m->held.size()) + " bytes of bits for a manifest of " +
                                   std::to_string(t.positions.size()) + " chunks");
  const bool first = t.availability.count(node) == 0;
  t.schedule.SetSwarmPeer(node, m->held, m->fetching_all);
  t.availability[node] = std::move(m).value();
  if (first) SendAvailability(t, {node}, true);
  // Its chunks may be asked of it now; a change among the fetchers moves this node's share.
  PumpSources(t);
  return Status::Ok();
}

bool Replicator::Impl::DueToAdvertise(Transfer& t) {
  if (t.positions.empty() || t.unadvertised_bytes == 0) return false;
  if (t.unadvertised_bytes < kAdvertiseBytes && t.outstanding > 0) return false;
  t.unadvertised_bytes = 0;
  return true;
}

void Replicator::Impl::Advertise(const std::string& tk, const std::shared_ptr<Transfer>& t, bool flush) {
  if (flush) {
    if (Status flushed = FlushReceived(); !flushed.ok()) {
      Log(3, "storing received chunks: " + flushed.ToString());
      return;
    }
  }
  const uint64_t stored = StoredReceived();
  std::shared_ptr<StreamVerifier> verifier;
  {
    MutexLock lock(mu_);
    verifier = t->verifier;
  }
  if (verifier) verifier->Resume();  // files waiting for early chunks that are stored now
  MutexLock lock(mu_);
  auto it = transfers_.find(tk);
  if (it == transfers_.end() || it->second != t) return;
  if (flush) t->flushed_at = std::chrono::steady_clock::now();
  size_t upto = t->advertised;
  while (upto < t->received.size() && t->received[upto].through <= stored) ++upto;
  if (upto == t->advertised) return;
  MarkHeld(*t, upto);
  SendAvailability(*t, {}, true);
}

void Replicator::Impl::CheckStalls() {
  for (auto& [tk, t] : transfers_) {
    if (!t->verifier || !t->schedule.HasChunksToAsk()) continue;
    if (t->stored == t->stored_at_check) {
      Log(5, "fetching " + t->key + " version " + t->record.Id(t->key) +
                 " made no progress; asking full holders for any chunk");
      t->schedule.SetEndgame();
      PumpSources(*t);
    }
    t->stored_at_check = t->stored;
  }
}

}  // namespace edgesync::replication
