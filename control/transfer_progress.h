// TransferProgress: turns the byte counts of one put/get/checkout into progress lines on the
// request's CommandContext ({"phase", "done", "total"}), at most ten a second; the first report
// and the one that reaches the total are always emitted. Needs external synchronization (one
// handler thread uses it).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "control/command_dispatcher.h"
#include "store/store.h"

namespace edgesync {

class TransferProgress {
 public:
  TransferProgress(CommandContext& context, std::string phase);
  // `done` of `total` bytes so far.
  void Report(uint64_t done, uint64_t total);
  // Adds `bytes` to what is done, of the total last reported.
  void Add(uint64_t bytes);
  // The total last reported (0 before any report).
  uint64_t total() const { return total_; }

 private:
  CommandContext& context_;
  std::string phase_;
  uint64_t total_ = 0;
  uint64_t done_ = 0;
  bool reported_ = false;
  std::chrono::steady_clock::time_point last_emit_;
};

// Hooks that report into `progress` and poll the request's cancellation, for a put or a
// checkout. REQUIRES: `progress` and `context` outlive the returned control's use.
TransferControl ReportingControl(TransferProgress& progress, const CommandContext& context);

// The same for Store::Materialize, which counts written bytes.
GetOptions ReportingGetOptions(TransferProgress& progress, const CommandContext& context);

}  // namespace edgesync
