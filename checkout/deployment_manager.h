// DeploymentManager: the daemon's deployments (docs/deploy.md). Each keeps a directory pointing
// at one complete version of a model (the CheckoutSwitcher's atomic symlink switch): the
// pinned version, or the latest one, followed as new versions land. After a switch it runs the
// deployment's hook, then its health command until it passes or the timeout passes; on
// failure it switches back to the version before, runs the hook again and marks the version
// failed on this node (not tried again until a newer one lands or Retry).
//
// Specs and states live in one JSON file beside the store, rewritten atomically when a
// deployment settles (the passing states `switching` and `checking` are not written: a
// restart finds the directory as it is and checks the version again), so deployments survive
// restarts and need no CLI process. A few worker threads reconcile deployments, never one
// deployment on two threads; a slow health check holds only its own. Reports for the fleet
// go out from their own thread, newest state per deployment, so a slow store write never
// delays a switch. Thread-safe: `mu_` guards the deployments and the queues; no thread holds
// it while it switches, runs commands or reports.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "checkout/change_fanout.h"
#include "checkout/checkout.h"
#include "checkout/deployment.h"
#include "store/store.h"

namespace edgesync {

struct DeploymentView {
  DeploymentSpec spec;
  DeploymentState state;
  bool declared = false;  // from the config file's [[deploy]] tables, not `deploy add`
};

class DeploymentManager {
 public:
  struct Options {
    std::filesystem::path registry_file;  // <data>/deployments.json
    // This node's labels (they change on reload) and the merged fields of meta/releases
    // (NotFound when there is none), for deployments that follow a channel.
    std::function<std::map<std::string, std::string>()> labels;
    std::function<Result<nlohmann::json>()> releases;
    // Told of state changes, on the reporting thread (the daemon writes them into this node's
    // meta/deployments/<node> document for the fleet). A burst of changes to one deployment
    // may reach it as the last one only. Optional.
    std::function<void(const DeploymentView&)> report;
    size_t workers = 4;  // deployments reconciled at once
  };

  // REQUIRES: the store, switcher and fanout outlive the manager.
  DeploymentManager(Store& store, CheckoutSwitcher& switcher, ChangeFanout& changes, Options options);
  ~DeploymentManager();  // stops the workers (a health check in progress is abandoned)

  // Loads the registry, follows every deployment's key and starts the workers.
  Status Start() EXCLUDES(mu_);

  // Refuses a name in use, a dir another deployment has, and a dir that exists and is not a
  // checkout symlink (never clobbered), or whose parent is not writable.
  Result<DeploymentView> Add(const DeploymentSpec& spec) EXCLUDES(mu_);
  // Makes the config file's deployments exactly `specs`: adds new ones, applies changed specs,
  // forgets declared ones no longer listed. Deployments added with Add are left alone (a name
  // both declared and added is refused). Returns the first error; the others still apply.
  Status Declare(const std::vector<DeploymentSpec>& specs) EXCLUDES(mu_);
  // Forgets the deployment; its directory and versions stay as they are. A declared one is
  // refused: it is removed from the config file.
  Status Remove(const std::string& name) EXCLUDES(mu_);
  // Forgets the versions that failed here and reconciles again.
  Status Retry(const std::string& name) EXCLUDES(mu_);
  std::vector<DeploymentView> List() EXCLUDES(mu_);
  Result<DeploymentView> Show(const std::string& name) EXCLUDES(mu_);

 private:
  struct Entry {
    DeploymentSpec spec;
    DeploymentState state;
    bool declared = false;
    std::shared_ptr<ChangeFanout::Subscription> subscription;
  };
  Status DeclareLocked(const std::vector<DeploymentSpec>& specs, std::vector<DeploymentView>* removed)
      EXCLUDES(mu_);
  // Reports a deployment gone (state "removed"), so the fleet view does not show it running.
  void ReportRemoved(DeploymentView view);
  // Checks and adds one deployment (Add and Declare).
  Status AddLocked(const DeploymentSpec& spec, bool declared) REQUIRES(mu_);

  void Enqueue(const std::string& name) EXCLUDES(mu_);
  // Queues `name` for the worker unless it is queued already, and wakes the worker.
  void QueueLocked(const std::string& name) REQUIRES(mu_);
  void EnqueueChannelFollowers() EXCLUDES(mu_);
  // Reconciles `name` again at `when` (a failed switch's retry, a scheduled release).
  void WakeAt(const std::string& name, std::chrono::steady_clock::time_point when) EXCLUDES(mu_);
  // WakeAt the steady-clock time of `at_ms` (milliseconds since the epoch).
  void ScheduleActivation(const std::string& name, uint64_t at_ms) EXCLUDES(mu_);
  // Takes the next queued deployment no other worker has, moving due wake-ups to the queue;
  // blocks until there is one. Empty when stopping.
  std::string NextQueued() EXCLUDES(mu_);

  // A deployment's target: the version it should serve now (pinned, the channel's for this
  // node, or the latest; NotFound with the reason while there is none here), and for a channel,
  // the release that activates later.
  struct Target {
    VersionInfo now;
    std::string next;  // version id ("" none)
    uint64_t next_at_ms = 0;
  };
  Result<Target> TargetOf(const DeploymentSpec& spec, const ObjectKey& key);
  // The part to deploy: the spec's, or for a joint model the one part placed on this node
  // ("" for a model without parts, or with all of them placed here).
  Result<std::string> PartOf(const DeploymentSpec& spec, const VersionInfo& version);
  void Follow(Entry& entry) REQUIRES(mu_);
  void Worker() EXCLUDES(mu_);
  void Reporter() EXCLUDES(mu_);
  // Brings one deployment to its target version (deployment_reconcile.cpp).
  void Reconcile(const std::string& name) EXCLUDES(mu_);
  // For a deployment following a channel: writes the directory of the version it will switch
  // to next (a scheduled release's, else the key's newest) beside the active one before it is
  // released, so the switch is only the link.
  void StageNext(const DeploymentSpec& spec, const ObjectKey& key, const DeploymentState& state);
  // Runs the health command until it passes or the timeout passes; the failure's description.
  std::optional<std::string> CheckHealth(const DeploymentSpec& spec, const std::vector<std::string>& env);
  void RunSwitchHook(const DeploymentSpec& spec, const std::vector<std::string>& env);
  // Records `state` for `name` (unless it was removed meanwhile), saves it unless it is a
  // passing state, and queues its report.
  void Publish(const std::string& name, DeploymentState state) EXCLUDES(mu_);
  void QueueReportLocked(const DeploymentView& view) REQUIRES(mu_);
  Status SaveLocked() REQUIRES(mu_);

  Store& store_;
  CheckoutSwitcher& switcher_;
  ChangeFanout& changes_;
  const Options options_;

  Mutex mu_;
  CondVar wake_;
  std::map<std::string, Entry> deployments_ GUARDED_BY(mu_);
  std::vector<std::string> queue_ GUARDED_BY(mu_);
  std::set<std::string> running_ GUARDED_BY(mu_);  // being reconciled by a worker
  // Deployments to reconcile again at a time: a failed switch (a full retention, a disk
  // error), a release scheduled for later.
  std::map<std::string, std::chrono::steady_clock::time_point> wake_at_ GUARDED_BY(mu_);
  // The newest unreported state of each deployment, for the reporting thread.
  std::map<std::string, DeploymentView> unreported_ GUARDED_BY(mu_);
  CondVar report_wake_;
  bool stopping_ GUARDED_BY(mu_) = false;            // workers: stop
  bool reporter_stopping_ GUARDED_BY(mu_) = false;   // reporter: stop once all is reported
  std::atomic<bool> stop_requested_{false};  // read by running commands and switches
  std::shared_ptr<ChangeFanout::Subscription> releases_subscription_;
  std::vector<std::thread> workers_;
  std::thread reporter_;
};

}  // namespace edgesync
