#include "syncd/transfer_progress.h"

namespace edgesync {

constexpr auto kEmitInterval = std::chrono::milliseconds(100);

TransferProgress::TransferProgress(CommandContext& context, std::string phase,
                                   uint64_t total_bytes)
    : context_(context), phase_(std::move(phase)), total_(total_bytes) {
  Emit();
}

void TransferProgress::Add(uint64_t bytes) {
  done_ += bytes;
  if (std::chrono::steady_clock::now() - last_emit_ >= kEmitInterval) Emit();
}

void TransferProgress::Finish() {
  done_ = total_;
  Emit();
}

void TransferProgress::Emit() {
  last_emit_ = std::chrono::steady_clock::now();
  if (context_.emit_progress) {
    context_.emit_progress({{"phase", phase_}, {"done", done_}, {"total", total_}});
  }
}

GetOptions ReportingGetOptions(TransferProgress& progress, const CommandContext& context) {
  GetOptions options;
  options.progress = [&progress](uint64_t bytes) { progress.Add(bytes); };
  options.cancelled = [token = context.cancellation] { return token && token->cancelled(); };
  return options;
}

}  // namespace edgesync
