// ChangeFanout: the daemon's one Store change listener, fanned out to subscribers interested in
// one key (checkout --watch). The store offers no way to remove a listener, so subscriptions
// live here and end when their handle is destroyed.
//
// Callbacks run on the committing thread with no lock held and must be quick (wake a waiter).
// Safe for concurrent access.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "store/store.h"

namespace edgesync {

class ChangeFanout {
 public:
  // Registers the listener on `store`. REQUIRES: `store` outlives this object's use as listener,
  // i.e. the fanout outlives the store or is never destroyed before it.
  explicit ChangeFanout(Store& store);

  class Subscription;
  // Calls `on_change` for every commit to `key` until the returned handle is destroyed.
  std::shared_ptr<Subscription> Subscribe(std::string key,
                                          std::function<void(const Change&)> on_change);
  // The same for every key that starts with `prefix`.
  std::shared_ptr<Subscription> SubscribePrefix(std::string prefix,
                                                std::function<void(const Change&)> on_change);

 private:
  struct Subscriber {
    std::string key;  // or a prefix
    bool prefix = false;
    std::function<void(const Change&)> on_change;
  };
  std::shared_ptr<Subscription> Add(Subscriber subscriber);
  void Publish(const Change& change);

  Mutex mu_;
  std::vector<std::weak_ptr<Subscriber>> subscribers_ GUARDED_BY(mu_);
};

class ChangeFanout::Subscription {
 public:
  explicit Subscription(std::shared_ptr<void> keep_alive) : keep_alive_(std::move(keep_alive)) {}

 private:
  std::shared_ptr<void> keep_alive_;
};

}  // namespace edgesync
