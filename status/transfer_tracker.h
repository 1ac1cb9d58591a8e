// TransferTracker: turns periodic samples of replication's active transfers into `transfer`
// feed events with rate and ETA, and times finished transfers for the duration histogram.
//
// Each Sample() emits an event for every transfer that moved since the last emitted one (at most
// one per transfer per `min_interval`, so the sampling period bounds the event rate), and a final
// event for every transfer that left the list: "done" when its version was applied meanwhile
// (MarkApplied), otherwise "failed" (the fetch paused: its holder went away or sent bad data).
// Needs external synchronization.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "replication/replicator.h"

namespace edgesync {

class TransferTracker {
 public:
  using Clock = std::chrono::steady_clock;

  explicit TransferTracker(std::chrono::milliseconds min_interval = std::chrono::milliseconds(250))
      : min_interval_(min_interval) {}

  // A version was committed: a transfer of it that ends is "done". A replicated version whose
  // transfer finished between two samples gets a "done" event without byte counts.
  void MarkApplied(const std::string& key, const std::string& version_id, bool replicated,
                   Clock::time_point now);

  // Compares `active` with the previous sample; returns the events to publish. `wall_ms` is
  // the event timestamp.
  std::vector<nlohmann::json> Sample(Clock::time_point now, uint64_t wall_ms,
                                     const std::vector<replication::TransferStatus>& active);

  // Current transfers as snapshot items.
  std::vector<nlohmann::json> Current(uint64_t wall_ms) const;

  // Seconds each finished ("done") transfer took, since the last call.
  std::vector<double> TakeFinishedDurations();

 private:
  struct Tracked {
    replication::TransferStatus last;
    Clock::time_point started;
    Clock::time_point rate_at;    // when rate_bytes was sampled
    uint64_t rate_bytes = 0;      // done_bytes at rate_at
    double rate_bps = 0;
    bool have_rate = false;       // a rate was measured (not on the first sample)
    Clock::time_point emitted_at;
    uint64_t emitted_done = 0;
    bool emitted = false;
  };
  static nlohmann::json Event(const Tracked& t, uint64_t wall_ms, const char* state);

  std::chrono::milliseconds min_interval_;
  std::map<std::string, Tracked> tracked_;  // key + '\0' + version id
  struct Applied {
    std::string key;
    bool replicated = false;
    bool reported = false;  // a tracked transfer's final event covered it
    Clock::time_point at;
  };
  std::map<std::string, Applied> applied_;  // version id -> recently applied
  std::vector<double> finished_;
};

}  // namespace edgesync
