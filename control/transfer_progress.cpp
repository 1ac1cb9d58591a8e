#include "control/transfer_progress.h"

namespace edgesync {

constexpr auto kEmitInterval = std::chrono::milliseconds(100);

TransferProgress::TransferProgress(CommandContext& context, std::string phase)
    : context_(context), phase_(std::move(phase)) {}

void TransferProgress::Report(uint64_t done, uint64_t total) {
  done_ = done;
  total_ = total;
  const auto now = std::chrono::steady_clock::now();
  if (reported_ && done_ < total_ && now - last_emit_ < kEmitInterval) return;
  reported_ = true;
  last_emit_ = now;
  if (context_.emit_progress) {
    context_.emit_progress({{"phase", phase_}, {"done", done_}, {"total", total_}});
  }
}

void TransferProgress::Add(uint64_t bytes) { Report(done_ + bytes, total_); }

namespace {

std::function<bool()> CancellationOf(const CommandContext& context) {
  return [token = context.cancellation] { return token && token->cancelled(); };
}

}  // namespace

TransferControl ReportingControl(TransferProgress& progress, const CommandContext& context) {
  TransferControl control;
  control.progress = [&progress](uint64_t done, uint64_t total) { progress.Report(done, total); };
  control.cancelled = CancellationOf(context);
  return control;
}

GetOptions ReportingGetOptions(TransferProgress& progress, const CommandContext& context) {
  GetOptions options;
  options.progress = [&progress](uint64_t bytes) { progress.Add(bytes); };
  options.cancelled = CancellationOf(context);
  return options;
}

}  // namespace edgesync
