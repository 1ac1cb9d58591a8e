// DeploymentManager::Reconcile: one deployment brought to its target version, with the hook,
// the health check and the rollback (docs/deploy.md).
#include <thread>

#include <spdlog/spdlog.h>

#include "checkout/deployment_manager.h"
#include "checkout/hook_runner.h"
#include "checkout/release_rules.h"

namespace edgesync {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kHealthRetryPause = std::chrono::milliseconds(200);
constexpr auto kHookTimeout = std::chrono::seconds(60);

std::vector<std::string> HookEnv(const DeploymentSpec& spec, const std::string& version,
                                 const std::string& previous) {
  return {"EDGESYNC_DEPLOYMENT=" + spec.name, "EDGESYNC_KEY=" + spec.key, "EDGESYNC_DIR=" + spec.dir.string(),
          "EDGESYNC_VERSION=" + version, "EDGESYNC_PREVIOUS_VERSION=" + previous};
}

}  // namespace

void DeploymentManager::RunSwitchHook(const DeploymentSpec& spec, const std::vector<std::string>& env) {
  if (spec.on_switch.empty()) return;
  Result<HookResult> ran = RunHook(spec.on_switch, env, {kHookTimeout, 16 * 1024, [this] { return stop_requested_.load(); }});
  if (!ran.ok()) {
    spdlog::error("deployment {}: switch hook: {}", spec.name, ran.status().ToString());
    return;
  }
  if (ran->exit_code == 0)
    spdlog::info("deployment {}: switch hook ran{}{}", spec.name, ran->output.empty() ? "" : ": ", ran->output);
  else
    spdlog::warn("deployment {}: switch hook failed ({})", spec.name, DescribeHookFailure(*ran));
}

std::optional<std::string> DeploymentManager::CheckHealth(const DeploymentSpec& spec,
                                                          const std::vector<std::string>& env) {
  if (spec.health.empty()) return std::nullopt;
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(spec.health_timeout_ms);
  std::string last = "no answer";
  while (!stop_requested_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    Result<HookResult> ran = RunHook(spec.health, env, {left, 4 * 1024, [this] { return stop_requested_.load(); }});
    if (!ran.ok()) return "health command: " + ran.status().message();  // missing: no point retrying
    if (ran->exit_code == 0) return std::nullopt;
    last = DescribeHookFailure(*ran);
    std::this_thread::sleep_for(std::min<Clock::duration>(kHealthRetryPause, deadline - Clock::now()));
  }
  if (stop_requested_) return "the daemon stopped during the health check";
  return "health check did not pass within " + std::to_string(spec.health_timeout_ms) + " ms (last: " + last + ")";
}

Result<VersionInfo> DeploymentManager::TargetOf(const DeploymentSpec& spec, const ObjectKey& key) {
  if (!spec.version.empty()) {
    Result<VersionInfo> pinned = store_.GetVersion(key, spec.version);
    if (!pinned.ok()) return Status::NotFound("version " + spec.version + " of " + spec.key + " is not here yet");
    return pinned;
  }
  if (spec.channel.empty()) {
    Result<VersionInfo> latest = store_.Latest(key);
    if (!latest.ok()) return Status::NotFound("no version of " + spec.key + " here yet");
    return latest;
  }
  Result<nlohmann::json> fields = options_.releases ? options_.releases() : Status::NotFound("no releases");
  if (!fields.ok() && !fields.status().IsNotFound()) return fields.status().WithContext(kReleasesDocument);
  const auto labels = options_.labels ? options_.labels() : std::map<std::string, std::string>();
  std::optional<ReleaseRule> rule =
      ResolveRelease(fields.ok() ? *fields : nlohmann::json::object(), spec.key, spec.channel, labels);
  if (!rule) return Status::NotFound("channel " + spec.channel + " of " + spec.key + " names no version for this node");
  Result<VersionInfo> released = store_.GetVersion(key, rule->version);
  if (!released.ok())
    return Status::NotFound("channel " + spec.channel + " names version " + rule->version +
                            ", not here yet (it comes by replication)");
  return released;
}

void DeploymentManager::StageNext(const DeploymentSpec& spec, const ObjectKey& key, const DeploymentState& state) {
  if (spec.channel.empty()) return;  // a pinned version never changes; the latest is switched to at once
  Result<VersionInfo> latest = store_.Latest(key);
  if (!latest.ok() || latest->record.tombstone || latest->id == state.active ||
      state.failed_versions.count(latest->id))
    return;
  TransferControl control;
  control.cancelled = [this] { return stop_requested_.load(); };
  Result<CheckoutResult> staged = switcher_.Stage(key, spec.dir, latest->id, spec.part, control);
  if (!staged.ok())
    spdlog::info("deployment {}: not staging {} yet: {}", spec.name, latest->id, staged.status().ToString());
}

void DeploymentManager::Reconcile(const std::string& name) {
  Result<DeploymentView> view = Show(name);
  if (!view.ok()) return;  // removed meanwhile
  const DeploymentSpec& spec = view->spec;
  DeploymentState state = view->state;
  Result<ObjectKey> key = ObjectKey::Parse(spec.key);
  if (!key.ok()) return;

  Result<VersionInfo> target = TargetOf(spec, *key);
  if (!target.ok() || target->record.tombstone) {
    state.state = "waiting";
    state.last_error = target.ok() ? spec.key + " is deleted; keeping what is deployed" : target.status().message();
    Publish(name, state);
    return;
  }
  state.target = target->id;
  if (state.failed_versions.count(target->id)) return;  // stays rolled back / failed until Retry
  if (state.active == target->id && state.state == "healthy") {
    StageNext(spec, *key, state);
    return;
  }

  const std::string previous = state.active;
  TransferControl control;
  control.cancelled = [this] { return stop_requested_.load(); };
  if (state.active != target->id) {
    state.state = "switching";
    Publish(name, state);
    Result<CheckoutResult> switched = switcher_.Checkout(*key, spec.dir, target->id, spec.part, control);
    if (!switched.ok()) {
      state.state = "failed";
      state.last_error = "switching to " + target->id + ": " + switched.status().ToString() + " (trying again)";
      spdlog::error("deployment {}: {}", name, state.last_error);
      Publish(name, state);
      if (!stop_requested_) RetryLater(name);
      return;
    }
    state.active = target->id;
    ++state.switches;
    RunSwitchHook(spec, HookEnv(spec, target->id, previous));
  }

  state.state = "checking";
  state.last_error.clear();
  Publish(name, state);
  std::optional<std::string> unhealthy = CheckHealth(spec, HookEnv(spec, target->id, previous));
  if (!unhealthy) {
    state.state = "healthy";
    spdlog::info("deployment {}: {} version {} is in service at {}", name, spec.key, target->id, spec.dir.string());
    Publish(name, state);
    StageNext(spec, *key, state);
    return;
  }
  if (stop_requested_) return;  // checked again at the next start

  state.failed_versions.insert(target->id);
  state.last_error = "version " + target->id + ": " + *unhealthy;
  if (previous.empty() || previous == target->id) {
    state.state = "failed";
    spdlog::error("deployment {}: {}; nothing to roll back to", name, state.last_error);
    Publish(name, state);
    return;
  }
  Result<CheckoutResult> back = switcher_.Checkout(*key, spec.dir, previous, spec.part, control);
  if (!back.ok()) {
    state.state = "failed";
    state.last_error += "; rolling back to " + previous + " failed: " + back.status().ToString();
    spdlog::error("deployment {}: {}", name, state.last_error);
    Publish(name, state);
    return;
  }
  state.active = previous;
  state.state = "rolled_back";
  ++state.rollbacks;
  spdlog::warn("deployment {}: {}; rolled back to {}", name, state.last_error, previous);
  RunSwitchHook(spec, HookEnv(spec, previous, target->id));
  Publish(name, state);
}

}  // namespace edgesync
