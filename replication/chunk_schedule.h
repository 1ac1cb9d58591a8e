// ChunkSchedule: which of one transfer's missing chunks to ask which peer for.
//
// A transfer's sources are full holders (peers that announced the version, so they hold every
// chunk) and swarm peers (peers fetching the version too, whose ChunkAvailability says which
// chunks they hold so far). The rules (docs/replication.md "Partial holders"):
//   - a swarm peer is asked for chunks it holds, rarest first (held by the fewest swarm peers),
//     in manifest order on equal footing;
//   - a full holder is asked only for chunks no swarm peer holds, and of those only this node's
//     share: the fetchers (this node and every swarm peer that fetches every chunk) split the
//     manifest into runs of kRunChunks chunks by rendezvous hashing, so N nodes fetching
//     together take each chunk from a full holder about once and the rest from one another;
//   - in the endgame (the fetch stopped making progress, e.g. a fetcher hangs), full holders are
//     asked for any chunk no swarm peer holds.
// Each chunk is asked from one source at a time; it counts for the transfer when it arrives while
// asked (Stored), whichever peer delivers it, and goes back to be asked again when its source
// fails (Return).
// Thread-safety: needs external synchronization (the replicator guards it with its `mu_`).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/chunk_id.h"
#include "store/manifest.h"

namespace edgesync::replication {

class ChunkSchedule {
 public:
  static constexpr uint32_t kRunChunks = 16;

  ChunkSchedule() = default;
  // `chunks`: those to fetch, in manifest order, each with `positions[i]`, its index among the
  // manifest's distinct chunks. `self`: this node's id. `self_fetching_all`: this node fetches
  // every chunk; when false (placement narrows it) it takes every chunk it needs from full
  // holders that no swarm peer offers, without deferring to other fetchers.
  ChunkSchedule(std::vector<ChunkRef> chunks, std::vector<uint32_t> positions, std::string self,
                bool self_fetching_all);

  size_t size() const { return chunks_.size(); }
  bool HasChunksToAsk() const { return to_ask_ > 0; }

  // Records what swarm peer `peer` holds: bit p of `held` (byte p / 8, least significant bit
  // first) for manifest position p. REQUIRES: `held` covers every position of this schedule.
  void SetSwarmPeer(const std::string& peer, std::string_view held, bool fetching_all);
  void RemoveSwarmPeer(const std::string& peer);
  bool IsSwarmPeer(const std::string& peer) const { return swarm_.count(peer) > 0; }
  std::vector<std::string> SwarmPeers() const;
  void SetEndgame() { endgame_ = true; }

  // Marks as asked and returns the chunks to ask `peer` for next: at most `max_count`, adding
  // chunks while their sizes so far stay below `max_bytes`. `full_holder`: `peer` holds every
  // chunk and is not a swarm peer.
  std::vector<ChunkRef> Take(const std::string& peer, bool full_holder, size_t max_count, uint64_t max_bytes);
  // An asked chunk is to be asked again (its source failed or went away).
  void Return(const ChunkId& id);
  // `id` arrived: true when it was asked, and then it counts as stored from now on.
  bool Stored(const ChunkId& id);
  bool IsAsked(const ChunkId& id) const;

 private:
  enum class State : uint8_t { kToAsk, kAsked, kStored };
  struct SwarmPeer {
    std::vector<bool> has;  // by chunk index
    bool fetching_all = false;
  };
  // Recomputes `mine_` from the fetchers.
  void ComputeShare();

  std::vector<ChunkRef> chunks_;
  std::vector<uint32_t> positions_;
  std::string self_;
  bool self_fetching_all_ = false;
  std::vector<State> state_;
  std::vector<uint32_t> swarm_count_;  // swarm peers holding each chunk
  std::vector<bool> mine_;             // this node's share, asked of full holders
  std::unordered_map<ChunkId, uint32_t, ChunkIdHash> index_;
  std::map<std::string, SwarmPeer> swarm_;
  size_t to_ask_ = 0;
  // No chunk below this index is to be asked: Take starts here instead of rescanning the
  // asked and stored prefix of a large manifest at every call.
  uint32_t first_to_ask_ = 0;
  bool endgame_ = false;
};

}  // namespace edgesync::replication
