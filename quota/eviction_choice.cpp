#include "quota/eviction_choice.h"

#include <algorithm>

namespace edgesync {

std::vector<EvictionCandidate> ChooseEvictions(std::vector<EvictionCandidate> candidates,
                                               const std::string& local_node, uint64_t bytes_to_free) {
  std::erase_if(candidates, [&](const EvictionCandidate& c) {
    return c.author == local_node || c.is_protected || !c.complete || c.evicted || !c.peer_holds;
  });
  std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
    return a.last_used_ms != b.last_used_ms ? a.last_used_ms < b.last_used_ms : a.bytes > b.bytes;
  });
  uint64_t freed = 0;
  size_t n = 0;
  while (n < candidates.size() && freed < bytes_to_free) freed += candidates[n++].bytes;
  candidates.resize(n);
  return candidates;
}

}  // namespace edgesync
