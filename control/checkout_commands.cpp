#include "control/checkout_commands.h"

#include <spdlog/spdlog.h>

#include "control/command_params.h"
#include "control/transfer_progress.h"

namespace edgesync {
namespace {

using nlohmann::json;

// How long a watch sleeps between checks when no change wakes it (a safety net only).
constexpr std::chrono::seconds kWatchRecheckInterval{5};

json CheckoutJson(const CheckoutResult& result) {
  json j = {{"key", result.key},
            {"version", result.version},
            {"target", result.target.string()},
            {"version_dir", result.version_dir.string()},
            {"files", result.files},
            {"bytes", result.bytes},
            {"switched", result.switched}};
  if (!result.part.empty()) j["part"] = result.part;
  return j;
}

// One switch with its progress shown to, and cancellable by, the request.
Result<CheckoutResult> ReportingCheckout(CheckoutSwitcher& switcher, const ObjectKey& key,
                                         const std::filesystem::path& target,
                                         const std::string& version, const std::string& part,
                                         CommandContext& context) {
  TransferProgress progress(context, "checkout");
  Result<CheckoutResult> result = switcher.Checkout(key, target, version, part, ReportingControl(progress, context));
  if (result.ok()) switcher.Settle(target);
  return result;
}

// Follows new versions of `key` (their `part`) until the request is cancelled; one event per
// switch.
Result<json> Watch(Store& store, CheckoutSwitcher& switcher, ChangeFanout& changes,
                   const ObjectKey& key, const std::filesystem::path& target,
                   const std::string& part, CommandContext& context) {
  auto token = context.cancellation;
  auto subscription = changes.Subscribe(key.str(), [token](const Change&) { token->Wake(); });
  Result<CheckoutResult> current = ReportingCheckout(switcher, key, target, "", part, context);
  if (!current.ok()) return current.status();
  context.emit_event(CheckoutJson(*current));
  while (!token->WaitFor(kWatchRecheckInterval)) {
    Result<VersionInfo> latest = store.Latest(key);
    if (!latest.ok() || latest->id == current->version) continue;  // deleted: keep serving
    Result<CheckoutResult> next =
        ReportingCheckout(switcher, key, target, latest->id, part, context);
    if (!next.ok()) {
      if (token->cancelled()) break;
      spdlog::warn("checkout --watch {}: {}", target.string(), next.status().ToString());
      context.emit_event({{"key", key.str()}, {"error", next.status().ToString()}});
      continue;
    }
    current = std::move(next);
    context.emit_event(CheckoutJson(*current));
  }
  json result = CheckoutJson(*current);
  result["stopped"] = true;
  return result;
}

}  // namespace

void RegisterCheckoutCommands(CommandDispatcher& dispatcher, Store& store,
                              CheckoutSwitcher& switcher, ChangeFanout& changes) {
  // One switch runs on the bulk lane; a watch holds a long-running slot until cancelled.
  dispatcher.Register("checkout", CommandLane::kBulk,
                      [&switcher](const json& params, CommandContext& context) -> Result<json> {
                        Result<ObjectKey> key = RequireKey(params);
                        if (!key.ok()) return key.status();
                        Result<std::filesystem::path> target = RequireAbsolutePath(params, "dest");
                        if (!target.ok()) return target.status();
                        Result<CheckoutResult> result = ReportingCheckout(
                            switcher, *key, *target, OptionalString(params, "version"),
                            OptionalString(params, "part"), context);
                        if (!result.ok()) return result.status();
                        return CheckoutJson(*result);
                      });
  dispatcher.Register("checkout.watch", CommandLane::kLongRunning,
                      [&store, &switcher, &changes](const json& params,
                                                    CommandContext& context) -> Result<json> {
                        Result<ObjectKey> key = RequireKey(params);
                        if (!key.ok()) return key.status();
                        Result<std::filesystem::path> target = RequireAbsolutePath(params, "dest");
                        if (!target.ok()) return target.status();
                        return Watch(store, switcher, changes, *key, *target,
                                     OptionalString(params, "part"), context);
                      });
}

}  // namespace edgesync
