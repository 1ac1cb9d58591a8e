// NodeSettings: the part of the configuration that SIGHUP can change while running (labels,
// subscriptions, log level, priorities), read by status and, later, by replication's selective sync.
// Safe for concurrent access: readers get a copy.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "limits/priority_class.h"

namespace edgesync {

struct ReloadableSettings {
  std::map<std::string, std::string> labels;
  std::vector<std::string> subscriptions;
  std::string log_level;
  std::vector<limits::PriorityRule> priorities;  // sync.priorities
};

class NodeSettings {
 public:
  explicit NodeSettings(ReloadableSettings initial) : current_(std::move(initial)) {}
  ReloadableSettings Get() const {
    MutexLock lock(mu_);
    return current_;
  }
  void Set(ReloadableSettings settings) {
    MutexLock lock(mu_);
    current_ = std::move(settings);
  }

 private:
  mutable Mutex mu_;
  ReloadableSettings current_ GUARDED_BY(mu_);
};

}  // namespace edgesync
