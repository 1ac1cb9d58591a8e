// WorkerPools: the threads that run control-socket handlers, away from the network threads.
//
// Three lanes (see CommandLane): a quick pool so metadata commands never queue behind a large
// put, a bulk pool for puts/gets/checkouts, and a bounded set of long-running slots (watches).
// Safe for concurrent access. Join() waits for queued and running work.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>

#include "control/command_dispatcher.h"

namespace edgesync {

struct WorkerPoolSizes {
  size_t quick_threads = 2;
  size_t bulk_threads = 2;
  size_t long_running_slots = 16;
};

class WorkerPools {
 public:
  explicit WorkerPools(const WorkerPoolSizes& sizes);
  ~WorkerPools();  // joins
  WorkerPools(const WorkerPools&) = delete;
  WorkerPools& operator=(const WorkerPools&) = delete;

  // False when the lane is kLongRunning and all its slots are taken (the caller answers busy).
  bool TryPost(CommandLane lane, std::function<void()> work);
  size_t long_running_active() const { return long_running_active_.load(); }
  void Join();

 private:
  struct Pools;
  std::unique_ptr<Pools> pools_;
  size_t long_running_slots_;
  std::atomic<size_t> long_running_active_{0};
};

}  // namespace edgesync
