// TransferProgress: counts bytes of one put/get/checkout and emits at most ten progress lines a
// second through the request's CommandContext ({"phase", "done", "total"}). The final state is
// always emitted by Finish(). Needs external synchronization (one handler thread uses it).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "store/store.h"
#include "syncd/command_dispatcher.h"

namespace edgesync {

class TransferProgress {
 public:
  TransferProgress(CommandContext& context, std::string phase, uint64_t total_bytes);
  void Add(uint64_t bytes);
  void Finish();

 private:
  void Emit();
  CommandContext& context_;
  std::string phase_;
  uint64_t total_;
  uint64_t done_ = 0;
  std::chrono::steady_clock::time_point last_emit_;
};

// Store::Materialize options whose hooks add written bytes to `progress` and poll the request's
// cancellation. REQUIRES: `progress` and `context` outlive the returned options' use.
GetOptions ReportingGetOptions(TransferProgress& progress, const CommandContext& context);

}  // namespace edgesync
