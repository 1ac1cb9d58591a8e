// EvictionChoice: which versions the disk quota evicts to free a number of bytes. Pure
// function; thread-safe.
//
// A version may be evicted only when this node did not write it (its author is another node),
// it is not protected (pinned: checked out or being transferred; held: deployed, staged or a
// channel target; the common ancestor of a conflict), it is complete here, not evicted
// already, and a connected peer still holds it, so it can be fetched again on demand. Among
// those, the least recently used go first (last read by get/checkout, else when it was
// written), until their bytes cover what must be freed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace edgesync {

struct EvictionCandidate {
  std::string key;
  std::string version_id;
  std::string author;
  uint64_t bytes = 0;         // its files' bytes (chunks shared with other versions stay)
  uint64_t last_used_ms = 0;  // last read, else its HLC time
  bool is_protected = false;
  bool complete = true;       // every chunk of every file stored here
  bool evicted = false;
  bool peer_holds = false;    // a connected peer holds it
};

// Eligible candidates, least recently used first, until their bytes reach `bytes_to_free`
// (all eligible ones when they do not). Empty when none is eligible.
std::vector<EvictionCandidate> ChooseEvictions(std::vector<EvictionCandidate> candidates,
                                               const std::string& local_node, uint64_t bytes_to_free);

}  // namespace edgesync
