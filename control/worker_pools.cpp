#include "control/worker_pools.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

namespace edgesync {

struct WorkerPools::Pools {
  explicit Pools(const WorkerPoolSizes& sizes)
      : quick(sizes.quick_threads), bulk(sizes.bulk_threads), long_running(sizes.long_running_slots) {}
  boost::asio::thread_pool quick;
  boost::asio::thread_pool bulk;
  boost::asio::thread_pool long_running;
};

WorkerPools::WorkerPools(const WorkerPoolSizes& sizes)
    : pools_(std::make_unique<Pools>(sizes)), long_running_slots_(sizes.long_running_slots) {}

WorkerPools::~WorkerPools() { Join(); }

bool WorkerPools::TryPost(CommandLane lane, std::function<void()> work) {
  switch (lane) {
    case CommandLane::kQuick:
      boost::asio::post(pools_->quick, std::move(work));
      return true;
    case CommandLane::kBulk:
      boost::asio::post(pools_->bulk, std::move(work));
      return true;
    case CommandLane::kLongRunning:
      if (++long_running_active_ > long_running_slots_) {
        --long_running_active_;
        return false;
      }
      boost::asio::post(pools_->long_running, [this, work = std::move(work)] {
        work();
        --long_running_active_;
      });
      return true;
  }
  return false;
}

void WorkerPools::Join() {
  pools_->quick.join();
  pools_->bulk.join();
  pools_->long_running.join();
}

}  // namespace edgesync
