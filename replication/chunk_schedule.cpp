#include "replication/chunk_schedule.h"

#include <algorithm>
#include <tuple>

namespace edgesync::replication {
namespace {

// FNV-1a: the same on every node and build (std::hash is not), as rendezvous hashing needs.
uint64_t NodeHash(const std::string& node) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : node) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

// splitmix64's finalizer: the score of (node, run) for rendezvous hashing.
uint64_t Score(uint64_t node_hash, uint64_t run) {
  uint64_t z = node_hash + (run + 1) * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

ChunkSchedule::ChunkSchedule(std::vector<ChunkRef> chunks, std::vector<uint32_t> positions, std::string self,
                             bool self_fetching_all)
    : chunks_(std::move(chunks)),
      positions_(std::move(positions)),
      self_(std::move(self)),
      self_fetching_all_(self_fetching_all),
      state_(chunks_.size(), State::kToAsk),
      swarm_count_(chunks_.size(), 0),
      mine_(chunks_.size(), true),
      to_ask_(chunks_.size()) {
  for (size_t i = 0; i < chunks_.size(); ++i) index_.emplace(chunks_[i].id, static_cast<uint32_t>(i));
}

void ChunkSchedule::SetSwarmPeer(const std::string& peer, std::string_view held, bool fetching_all) {
  SwarmPeer& s = swarm_[peer];
  if (s.has.empty()) s.has.assign(chunks_.size(), false);
  const bool fetcher_changed = s.fetching_all != fetching_all;
  s.fetching_all = fetching_all;
  for (size_t i = 0; i < chunks_.size(); ++i) {
    const uint32_t p = positions_[i];
    const bool has = (static_cast<unsigned char>(held[p / 8]) >> (p % 8)) & 1;
    if (has == s.has[i]) continue;
    s.has[i] = has;
    if (has) ++swarm_count_[i];
    else --swarm_count_[i];
  }
  if (fetcher_changed) ComputeShare();
}

void ChunkSchedule::RemoveSwarmPeer(const std::string& peer) {
  auto it = swarm_.find(peer);
  if (it == swarm_.end()) return;
  for (size_t i = 0; i < chunks_.size(); ++i)
    if (it->second.has[i]) --swarm_count_[i];
  const bool was_fetcher = it->second.fetching_all;
  swarm_.erase(it);
  if (was_fetcher) ComputeShare();
}

std::vector<std::string> ChunkSchedule::SwarmPeers() const {
  std::vector<std::string> out;
  for (const auto& [peer, s] : swarm_) out.push_back(peer);
  return out;
}

void ChunkSchedule::ComputeShare() {
  std::vector<uint64_t> fetchers;
  for (const auto& [peer, s] : swarm_)
    if (s.fetching_all) fetchers.push_back(NodeHash(peer));
  const uint64_t self = NodeHash(self_);
  for (size_t i = 0; i < chunks_.size(); ++i) {
    const uint64_t run = positions_[i] / kRunChunks;
    const uint64_t score = Score(self, run);
    mine_[i] = !self_fetching_all_ ||
               std::none_of(fetchers.begin(), fetchers.end(), [&](uint64_t f) { return Score(f, run) > score; });
  }
}

std::vector<ChunkRef> ChunkSchedule::Take(const std::string& peer, bool full_holder, size_t max_count,
                                          uint64_t max_bytes) {
  // Candidates as (how many swarm peers hold it, index): rarest first, then manifest order.
  std::vector<std::pair<uint32_t, uint32_t>> candidates;
  const SwarmPeer* swarm = nullptr;
  if (!full_holder) {
    auto it = swarm_.find(peer);
    if (it == swarm_.end()) return {};
    swarm = &it->second;
  }
  // Of each count, only the first chunks in manifest order can be picked: as many as fill
  // max_count or max_bytes. The rest are not collected, and the scan stops once the lowest count
  // a chunk can have here (0 from a full holder, 1 from a swarm peer, which holds it) is filled.
  // A request is often one chunk's worth, and a manifest has thousands.
  const uint32_t lowest = swarm ? 1 : 0;
  std::vector<size_t> count_taken(swarm_.size() + 1, 0);
  std::vector<uint64_t> bytes_taken(swarm_.size() + 1, 0);
  for (uint32_t i = first_to_ask_; i < chunks_.size(); ++i) {
    if (state_[i] != State::kToAsk) {
      if (i == first_to_ask_) ++first_to_ask_;
      continue;
    }
    if (swarm ? !swarm->has[i] : (swarm_count_[i] > 0 || !(mine_[i] || endgame_))) continue;
    const uint32_t count = swarm_count_[i];
    if (count_taken[count] == max_count || bytes_taken[count] >= max_bytes) continue;
    candidates.emplace_back(count, i);
    ++count_taken[count];
    bytes_taken[count] += chunks_[i].size;
    if (count == lowest && (count_taken[count] == max_count || bytes_taken[count] >= max_bytes)) break;
  }
  if (candidates.size() > max_count) {
    std::nth_element(candidates.begin(), candidates.begin() + max_count, candidates.end());
    candidates.resize(max_count);
  }
  std::sort(candidates.begin(), candidates.end());
  std::vector<ChunkRef> out;
  uint64_t bytes = 0;
  for (const auto& [count, i] : candidates) {
    if (bytes >= max_bytes) break;
    state_[i] = State::kAsked;
    --to_ask_;
    bytes += chunks_[i].size;
    out.push_back(chunks_[i]);
  }
  return out;
}

void ChunkSchedule::Return(const ChunkId& id) {
  auto it = index_.find(id);
  if (it == index_.end() || state_[it->second] != State::kAsked) return;
  state_[it->second] = State::kToAsk;
  first_to_ask_ = std::min(first_to_ask_, it->second);
  ++to_ask_;
}

bool ChunkSchedule::IsAsked(const ChunkId& id) const {
  auto it = index_.find(id);
  return it != index_.end() && state_[it->second] == State::kAsked;
}

bool ChunkSchedule::Stored(const ChunkId& id) {
  auto it = index_.find(id);
  if (it == index_.end() || state_[it->second] != State::kAsked) return false;
  state_[it->second] = State::kStored;
  return true;
}

}  // namespace edgesync::replication
