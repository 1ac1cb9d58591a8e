#include "quota/evicted_refetch.h"

#include <memory>

#include "base/mutex.h"

namespace edgesync {
namespace {

constexpr uint64_t kPinLeaseMs = 15 * 60 * 1000;
constexpr auto kCancelPoll = std::chrono::milliseconds(200);

// The outcome a transfer reports, shared with a waiter that may have given up already.
struct Outcome {
  Mutex mu;
  CondVar cv;
  bool done GUARDED_BY(mu) = false;
  Status status GUARDED_BY(mu);
};

}  // namespace

EvictedRefetch::EvictedRefetch(Store& store, DiskQuota& quota, FetchFn fetch, std::chrono::milliseconds timeout)
    : store_(store), quota_(quota), fetch_(std::move(fetch)), timeout_(timeout) {}

Status EvictedRefetch::OnRead(const VersionInfo& version, bool evicted, const GetOptions& options) {
  quota_.Touched(version.key, version.id);
  if (!evicted) return Status::Ok();
  auto key = ObjectKey::Parse(version.key);
  if (!key.ok()) return key.status();
  auto pin = store_.Pin(version.record.manifest_id, kPinLeaseMs);
  if (!pin.ok()) return pin.status();
  struct Unpin {
    Store& store;
    std::string id;
    ~Unpin() { (void)store.Unpin(id); }
  } unpin{store_, *pin};

  auto outcome = std::make_shared<Outcome>();
  Status started = fetch_(version.key, version.record, [outcome](Status s) {
    MutexLock lock(outcome->mu);
    outcome->done = true;
    outcome->status = std::move(s);
    outcome->cv.NotifyAll();
  });
  if (!started.ok()) return started;
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  {
    MutexLock lock(outcome->mu);
    while (!outcome->done) {
      if (options.cancelled && options.cancelled()) return Status::Aborted("cancelled while fetching it again");
      if (std::chrono::steady_clock::now() >= deadline) return Status::IoError("timed out fetching it again");
      outcome->cv.WaitUntil(outcome->mu, std::min(deadline, std::chrono::steady_clock::now() + kCancelPoll));
    }
    if (!outcome->status.ok()) return outcome->status;
  }
  quota_.Committed(version.key);  // the transfer's reservation: its chunks are stored now
  return store_.RestoreEvicted(*key, version.id);
}

}  // namespace edgesync
