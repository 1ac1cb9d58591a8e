// DeploymentManager::Reconcile: one deployment brought to its target version, with the hook,
// the health check and the rollback (docs/deploy.md).
#include <thread>

#include <spdlog/spdlog.h>

#include "base/wall_clock.h"

#include "checkout/deployment_manager.h"
#include "checkout/hook_runner.h"
#include "checkout/release_rules.h"
#include "replication/placement.h"

namespace edgesync {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kHealthRetryPause = std::chrono::milliseconds(200);
// A switch that failed (old versions still within their grace period, a full disk) is tried
// again after this long, and again, until it succeeds or the target changes.
constexpr auto kSwitchRetryDelay = std::chrono::seconds(5);

int64_t MillisBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}


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

Result<DeploymentManager::Target> DeploymentManager::TargetOf(const DeploymentSpec& spec, const ObjectKey& key) {
  if (!spec.version.empty()) {
    Result<VersionInfo> pinned = store_.GetVersion(key, spec.version);
    if (!pinned.ok()) return Status::NotFound("version " + spec.version + " of " + spec.key + " is not here yet");
    return Target{*pinned};
  }
  if (spec.channel.empty()) {
    Result<VersionInfo> latest = store_.Latest(key);
    if (!latest.ok()) return Status::NotFound("no version of " + spec.key + " here yet");
    return Target{*latest};
  }
  Result<nlohmann::json> fields = options_.releases ? options_.releases() : Status::NotFound("no releases");
  if (!fields.ok() && !fields.status().IsNotFound()) return fields.status().WithContext(kReleasesDocument);
  const auto labels = options_.labels ? options_.labels() : std::map<std::string, std::string>();
  const ChannelTarget channel =
      ResolveRelease(fields.ok() ? *fields : nlohmann::json::object(), spec.key, spec.channel, labels, WallClockMs());
  Target target;
  if (channel.next) {
    target.next = channel.next->version;
    target.next_at_ms = channel.next->activate_ms;
  }
  if (!channel.now) {
    std::string why = "channel " + spec.channel + " of " + spec.key + " names no version for this node";
    if (channel.next) why += " until " + std::to_string(target.next_at_ms) + " ms (version " + target.next + ")";
    return Status::NotFound(why);
  }
  Result<VersionInfo> released = store_.GetVersion(key, channel.now->version);
  if (!released.ok())
    return Status::NotFound("channel " + spec.channel + " names version " + channel.now->version +
                            ", not here yet (it comes by replication)");
  target.now = *released;
  return target;
}

void DeploymentManager::ScheduleActivation(const std::string& name, uint64_t at_ms) {
  const uint64_t now_ms = WallClockMs();
  // A wall clock that moves meanwhile only makes the wake-up early or late; an early one
  // finds the release still pending and schedules again.
  WakeAt(name, Clock::now() + std::chrono::milliseconds(at_ms > now_ms ? at_ms - now_ms + 1 : 0));
}

Result<std::string> DeploymentManager::PartOf(const DeploymentSpec& spec, const VersionInfo& version) {
  if (!spec.part.empty()) return spec.part;
  Result<Manifest> manifest = store_.ReadManifest(version.record.manifest_id);
  if (!manifest.ok()) return manifest.status();
  const auto labels = options_.labels ? options_.labels() : std::map<std::string, std::string>();
  const replication::PartPlacement parts = replication::PlaceParts(*manifest, labels);
  if (parts.elsewhere.empty()) return std::string();  // no parts, or every part is placed here
  if (parts.placed.size() == 1) return parts.placed.front();
  auto names = [](const std::vector<std::string>& list) {
    std::string text;
    for (const std::string& name : list) text += (text.empty() ? "" : ", ") + name;
    return text;
  };
  if (parts.placed.empty())
    return Status::FailedPrecondition(spec.key + " has parts " + names(parts.elsewhere) +
                                      " and none is placed on this node (by its labels); give the deployment a part");
  return Status::FailedPrecondition("parts " + names(parts.placed) + " of " + spec.key +
                                    " are placed on this node and a deployment holds one; give it a part");
}

void DeploymentManager::StageNext(const DeploymentSpec& spec, const ObjectKey& key, const DeploymentState& state) {
  if (spec.channel.empty()) return;  // a pinned version never changes; the latest is switched to at once
  Result<VersionInfo> next = state.next.empty() ? store_.Latest(key) : store_.GetVersion(key, state.next);
  if (!next.ok() || next->record.tombstone || next->id == state.active || state.failed_versions.count(next->id))
    return;
  Result<std::string> part = PartOf(spec, *next);
  if (!part.ok() || *part != state.part) return;  // another part: a switch decides
  TransferControl control;
  control.cancelled = [this] { return stop_requested_.load(); };
  Result<CheckoutResult> staged = switcher_.Stage(key, spec.dir, next->id, *part, control);
  if (!staged.ok())
    spdlog::info("deployment {}: not staging {} yet: {}", spec.name, next->id, staged.status().ToString());
}

void DeploymentManager::Reconcile(const std::string& name) {
  Result<DeploymentView> view = Show(name);
  if (!view.ok()) return;  // removed meanwhile
  const DeploymentSpec& spec = view->spec;
  DeploymentState state = view->state;
  Result<ObjectKey> key = ObjectKey::Parse(spec.key);
  if (!key.ok()) return;

  Result<Target> wanted = TargetOf(spec, *key);
  if (wanted.ok() && !wanted->next.empty()) ScheduleActivation(name, wanted->next_at_ms);
  Result<std::string> part = wanted.ok() ? PartOf(spec, wanted->now) : wanted.status();
  if (!part.ok() || wanted->now.record.tombstone) {
    state.state = "waiting";
    state.last_error = part.ok() ? spec.key + " is deleted; keeping what is deployed" : part.status().message();
    Publish(name, state);
    return;
  }
  const VersionInfo* target = &wanted->now;
  state.target = target->id;
  state.next = wanted->next;
  state.next_at_ms = wanted->next_at_ms;
  if (state.failed_versions.count(target->id)) return;  // stays rolled back / failed until Retry
  if (state.active == target->id && state.state == "healthy" && state.part == *part) {
    if (state.target != view->state.target || state.next != view->state.next) Publish(name, state);
    StageNext(spec, *key, state);
    return;
  }
  state.part = *part;

  const std::string previous = state.active;
  TransferControl control;
  control.cancelled = [this] { return stop_requested_.load(); };
  const Clock::time_point began = Clock::now();
  if (state.active != target->id) {
    state.state = "switching";
    Publish(name, state);
    // Made durable by Settle once the outcome is published: the report is not held up by fsyncs.
    Result<CheckoutResult> switched =
        switcher_.Checkout(*key, spec.dir, target->id, state.part, control, CheckoutSwitcher::Durability::kAtSettle);
    if (!switched.ok()) {
      state.state = "failed";
      state.last_error = "switching to " + target->id + ": " + switched.status().ToString() + " (trying again)";
      spdlog::error("deployment {}: {}", name, state.last_error);
      Publish(name, state);
      if (!stop_requested_) WakeAt(name, Clock::now() + kSwitchRetryDelay);
      return;
    }
    state.active = target->id;
    ++state.switches;
    RunSwitchHook(spec, HookEnv(spec, target->id, previous));
  }

  state.state = "checking";
  state.last_error.clear();
  Publish(name, state);
  const Clock::time_point checking = Clock::now();
  std::optional<std::string> unhealthy = CheckHealth(spec, HookEnv(spec, target->id, previous));
  if (!unhealthy) {
    state.state = "healthy";
    spdlog::info("deployment {}: {} version {} is in service at {} (switch {} ms, health check {} ms)", name,
                 spec.key, target->id, spec.dir.string(), MillisBetween(began, checking),
                 MillisBetween(checking, Clock::now()));
    Publish(name, state);
    switcher_.Settle(spec.dir);
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
    switcher_.Settle(spec.dir);
    return;
  }
  Result<CheckoutResult> back =
      switcher_.Checkout(*key, spec.dir, previous, state.part, control, CheckoutSwitcher::Durability::kAtSettle);
  if (!back.ok()) {
    state.state = "failed";
    state.last_error += "; rolling back to " + previous + " failed: " + back.status().ToString();
    spdlog::error("deployment {}: {}", name, state.last_error);
    Publish(name, state);
    switcher_.Settle(spec.dir);
    return;
  }
  state.active = previous;
  state.state = "rolled_back";
  ++state.rollbacks;
  spdlog::warn("deployment {}: {}; rolled back to {}", name, state.last_error, previous);
  RunSwitchHook(spec, HookEnv(spec, previous, target->id));
  Publish(name, state);
  switcher_.Settle(spec.dir);
}

}  // namespace edgesync
