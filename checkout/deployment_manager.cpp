#include "checkout/deployment_manager.h"

#include <unistd.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "base/wall_clock.h"
#include "checkout/json_file.h"
#include "checkout/release_rules.h"

namespace edgesync {
namespace {

using nlohmann::json;

// How long a state change waits for newer ones before it is reported to the fleet.
constexpr auto kReportCoalescing = std::chrono::milliseconds(250);

// Refuses a directory the daemon did not create: anything but a missing entry or a checkout
// symlink (into <dir>.versions/), and a parent it cannot write.
Status CheckDeployDir(const std::filesystem::path& dir) {
  std::error_code ec;
  const auto parent = dir.parent_path();
  if (!std::filesystem::is_directory(parent, ec))
    return Status::FailedPrecondition("deploy dir's parent " + parent.string() + " is not a directory");
  if (::access(parent.c_str(), W_OK | X_OK) != 0)
    return Status::PermissionDenied("the daemon cannot write " + parent.string() +
                                    " (with the shipped unit: deploy under /srv/edgesync)");
  const auto status = std::filesystem::symlink_status(dir, ec);
  if (status.type() == std::filesystem::file_type::not_found) return Status::Ok();
  if (status.type() != std::filesystem::file_type::symlink)
    return Status::FailedPrecondition(dir.string() + " exists and is not a deployment's symlink; "
                                      "edgesync never replaces it (move it away or choose another dir)");
  const auto link = std::filesystem::read_symlink(dir, ec);
  const std::string versions = dir.filename().string() + ".versions";
  if (ec || link.empty() || *link.begin() != versions)
    return Status::FailedPrecondition(dir.string() + " is a symlink edgesync did not make (it points to " +
                                      link.string() + ")");
  return Status::Ok();
}

}  // namespace

DeploymentManager::DeploymentManager(Store& store, CheckoutSwitcher& switcher, ChangeFanout& changes,
                                     Options options)
    : store_(store), switcher_(switcher), changes_(changes), options_(std::move(options)) {}

DeploymentManager::~DeploymentManager() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    wake_.NotifyAll();
  }
  stop_requested_ = true;
  for (std::thread& worker : workers_) worker.join();
  {
    MutexLock lock(mu_);  // after the workers: their last reports go out
    reporter_stopping_ = true;
    report_wake_.NotifyAll();
  }
  if (reporter_.joinable()) reporter_.join();
}

Status DeploymentManager::Start() {
  Result<json> registry = ReadJsonFile(options_.registry_file);
  {
    MutexLock lock(mu_);
    if (registry.ok()) {
      for (const auto& item : registry->value("deployments", json::array())) {
        Result<DeploymentSpec> spec = DeploymentSpec::FromJson(item.value("spec", json::object()));
        if (!spec.ok()) {
          spdlog::error("deployments: skipping an entry of {}: {}", options_.registry_file.string(),
                        spec.status().ToString());
          continue;
        }
        Entry entry{*spec, DeploymentState::FromJson(item.value("state", json::object())),
                    item.value("declared", false), nullptr};
        // The directory is the truth: a switch interrupted by a crash is either done or not.
        // A version switched to but not yet saved as healthy is checked again.
        const std::string active = CurrentCheckoutVersion(spec->dir);
        if (active != entry.state.active) entry.state.state = "checking";
        entry.state.active = active;
        Follow(entry);
        const std::string name = spec->name;
        deployments_.emplace(name, std::move(entry));
        queue_.push_back(name);
      }
    } else if (!registry.status().IsNotFound()) {
      return registry.status().WithContext("deployments");
    }
  }
  releases_subscription_ = changes_.Subscribe(kReleasesDocument, [this](const Change&) { EnqueueChannelFollowers(); });
  for (size_t i = 0; i < std::max<size_t>(1, options_.workers); ++i) workers_.emplace_back([this] { Worker(); });
  reporter_ = std::thread([this] { Reporter(); });
  return Status::Ok();
}

void DeploymentManager::EnqueueChannelFollowers() {
  MutexLock lock(mu_);
  for (const auto& [name, entry] : deployments_)
    if (!entry.spec.channel.empty()) QueueLocked(name);
}

void DeploymentManager::Follow(Entry& entry) {
  const std::string name = entry.spec.name;
  entry.subscription = changes_.Subscribe(entry.spec.key, [this, name](const Change&) { Enqueue(name); });
}

void DeploymentManager::Enqueue(const std::string& name) {
  MutexLock lock(mu_);
  QueueLocked(name);
}

void DeploymentManager::QueueLocked(const std::string& name) {
  if (std::find(queue_.begin(), queue_.end(), name) == queue_.end()) queue_.push_back(name);
  wake_.NotifyAll();
}

void DeploymentManager::WakeAt(const std::string& name, std::chrono::steady_clock::time_point when) {
  MutexLock lock(mu_);
  auto [it, added] = wake_at_.emplace(name, when);
  if (!added) it->second = std::min(it->second, when);
  wake_.NotifyAll();
}

std::string DeploymentManager::NextQueued() {
  MutexLock lock(mu_);
  for (;;) {
    if (stopping_) return "";
    const auto now = std::chrono::steady_clock::now();
    auto next_wake = std::chrono::steady_clock::time_point::max();
    for (auto it = wake_at_.begin(); it != wake_at_.end();) {
      if (it->second > now) {
        next_wake = std::min(next_wake, it->second);
        ++it;
        continue;
      }
      if (deployments_.count(it->first)) QueueLocked(it->first);
      it = wake_at_.erase(it);
    }
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (running_.count(*it)) continue;  // queued again while a worker has it: after that one
      std::string name = *it;
      queue_.erase(it);
      running_.insert(name);
      return name;
    }
    if (next_wake == std::chrono::steady_clock::time_point::max()) wake_.Wait(mu_);
    else wake_.WaitUntil(mu_, next_wake);
  }
}

void DeploymentManager::Worker() {
  for (;;) {
    const std::string name = NextQueued();
    if (name.empty()) return;
    Reconcile(name);
    MutexLock lock(mu_);
    running_.erase(name);
    wake_.NotifyAll();  // it may have been queued again meanwhile
  }
}

void DeploymentManager::Reporter() {
  for (;;) {
    std::map<std::string, DeploymentView> batch;
    {
      MutexLock lock(mu_);
      while (unreported_.empty() && !reporter_stopping_) report_wake_.Wait(mu_);
      if (unreported_.empty()) return;  // stopping, and everything reported
      // A switch passes through several states within milliseconds: wait a little, so that
      // the fleet gets the last of them, and the store writes stay off the switch's path.
      const auto until = std::chrono::steady_clock::now() + kReportCoalescing;
      while (!reporter_stopping_ && report_wake_.WaitUntil(mu_, until)) {
      }
      batch.swap(unreported_);
    }
    for (const auto& [name, view] : batch) options_.report(view);
  }
}

Status DeploymentManager::AddLocked(const DeploymentSpec& spec, bool declared) {
  EDGESYNC_RETURN_IF_ERROR(spec.Validate());
  if (deployments_.count(spec.name)) return Status::AlreadyExists("deployment " + spec.name + " exists");
  for (const auto& [name, entry] : deployments_)
    if (entry.spec.dir == spec.dir)
      return Status::AlreadyExists(spec.dir.string() + " is deployment " + name + "'s directory");
  EDGESYNC_RETURN_IF_ERROR(CheckDeployDir(spec.dir));
  Entry entry{spec, {}, declared, nullptr};
  entry.state.active = CurrentCheckoutVersion(spec.dir);
  Follow(entry);
  deployments_.emplace(spec.name, std::move(entry));
  QueueLocked(spec.name);
  spdlog::info("deployment {} added{}: {} at {}", spec.name, declared ? " from the config file" : "", spec.key,
               spec.dir.string());
  return Status::Ok();
}

Result<DeploymentView> DeploymentManager::Add(const DeploymentSpec& spec) {
  MutexLock lock(mu_);
  EDGESYNC_RETURN_IF_ERROR(AddLocked(spec, false));
  EDGESYNC_RETURN_IF_ERROR(SaveLocked());
  const Entry& entry = deployments_.at(spec.name);
  return DeploymentView{entry.spec, entry.state, false};
}

Status DeploymentManager::Declare(const std::vector<DeploymentSpec>& specs) {
  std::vector<DeploymentView> removed;
  Status first = DeclareLocked(specs, &removed);
  for (DeploymentView& view : removed) ReportRemoved(std::move(view));
  return first;
}

Status DeploymentManager::DeclareLocked(const std::vector<DeploymentSpec>& specs, std::vector<DeploymentView>* removed) {
  MutexLock lock(mu_);
  Status first = Status::Ok();
  auto keep = [&first](const Status& s) {
    if (first.ok() && !s.ok()) first = s;
  };
  std::set<std::string> declared;
  for (const DeploymentSpec& spec : specs) {
    declared.insert(spec.name);
    auto it = deployments_.find(spec.name);
    if (it == deployments_.end()) {
      keep(AddLocked(spec, true).WithContext("[[deploy]] " + spec.name));
      continue;
    }
    Entry& entry = it->second;
    if (!entry.declared) {
      keep(Status::AlreadyExists("[[deploy]] " + spec.name + ": a deployment of that name was added with "
                                 "`edgesync deploy add`; remove one of them"));
      continue;
    }
    if (entry.spec.ToJson() == spec.ToJson()) continue;
    Status valid = spec.Validate();
    if (valid.ok() && spec.dir != entry.spec.dir) valid = CheckDeployDir(spec.dir);
    if (!valid.ok()) {
      keep(valid.WithContext("[[deploy]] " + spec.name));
      continue;
    }
    if (spec.dir != entry.spec.dir || spec.key != entry.spec.key || spec.part != entry.spec.part)
      entry.state = DeploymentState{};  // another place or model: what it knew no longer applies
    entry.state.active = CurrentCheckoutVersion(spec.dir);
    entry.spec = spec;
    Follow(entry);
    QueueLocked(spec.name);
    spdlog::info("deployment {} changed in the config file", spec.name);
  }
  for (auto it = deployments_.begin(); it != deployments_.end();) {
    if (it->second.declared && !declared.count(it->first)) {
      spdlog::info("deployment {} is no longer in the config file: forgotten (its directory stays)", it->first);
      removed->push_back({it->second.spec, it->second.state, true});
      it = deployments_.erase(it);
    } else {
      ++it;
    }
  }
  keep(SaveLocked());
  return first;
}

Status DeploymentManager::Remove(const std::string& name) {
  DeploymentView removed;
  {
    MutexLock lock(mu_);
    auto it = deployments_.find(name);
    if (it == deployments_.end()) return Status::NotFound("no deployment " + name);
    if (it->second.declared)
      return Status::FailedPrecondition("deployment " + name + " is declared in the config file; remove its "
                                        "[[deploy]] table and reload the daemon");
    removed = {it->second.spec, it->second.state, false};
    deployments_.erase(it);
    queue_.erase(std::remove(queue_.begin(), queue_.end(), name), queue_.end());
    spdlog::info("deployment {} removed (its directory stays)", name);
    EDGESYNC_RETURN_IF_ERROR(SaveLocked());
  }
  ReportRemoved(std::move(removed));
  return Status::Ok();
}

void DeploymentManager::ReportRemoved(DeploymentView view) {
  view.state.state = "removed";
  MutexLock lock(mu_);
  QueueReportLocked(view);
}

void DeploymentManager::QueueReportLocked(const DeploymentView& view) {
  if (!options_.report) return;
  unreported_[view.spec.name] = view;
  report_wake_.NotifyAll();
}

Status DeploymentManager::Retry(const std::string& name) {
  {
    MutexLock lock(mu_);
    auto it = deployments_.find(name);
    if (it == deployments_.end()) return Status::NotFound("no deployment " + name);
    it->second.state.failed_versions.clear();
    EDGESYNC_RETURN_IF_ERROR(SaveLocked());
  }
  Enqueue(name);
  return Status::Ok();
}

std::vector<DeploymentView> DeploymentManager::List() {
  MutexLock lock(mu_);
  std::vector<DeploymentView> views;
  for (const auto& [name, entry] : deployments_) views.push_back({entry.spec, entry.state, entry.declared});
  return views;
}

Result<DeploymentView> DeploymentManager::Show(const std::string& name) {
  MutexLock lock(mu_);
  auto it = deployments_.find(name);
  if (it == deployments_.end()) return Status::NotFound("no deployment " + name);
  return DeploymentView{it->second.spec, it->second.state, it->second.declared};
}

void DeploymentManager::Publish(const std::string& name, DeploymentState state) {
  state.updated_ms = WallClockMs();
  const bool passing = state.state == "switching" || state.state == "checking";
  MutexLock lock(mu_);
  auto it = deployments_.find(name);
  if (it == deployments_.end()) return;
  it->second.state = std::move(state);
  if (!passing) {
    Status saved = SaveLocked();
    if (!saved.ok()) spdlog::error("deployments: {}", saved.ToString());
  }
  QueueReportLocked({it->second.spec, it->second.state, it->second.declared});
}

Status DeploymentManager::SaveLocked() {
  json list = json::array();
  for (const auto& [name, entry] : deployments_)
    list.push_back({{"spec", entry.spec.ToJson()}, {"state", entry.state.ToJson()}, {"declared", entry.declared}});
  return ReplaceJsonFile(options_.registry_file, {{"deployments", list}});
}

}  // namespace edgesync
