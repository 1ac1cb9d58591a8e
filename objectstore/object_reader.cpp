#include "objectstore/object_reader.h"

#include <atomic>
#include <chrono>
#include <map>
#include <thread>
#include <vector>

#include "base/mutex.h"

namespace edgesync::objectstore {
namespace {

constexpr auto kCancelPoll = std::chrono::milliseconds(100);

// The parts of one read: workers fetch them in index order, at most `parallel` ahead of the
// part the caller delivers next; the caller hands them to the sink in order.
class PartPipeline {
 public:
  PartPipeline(RangedObject& object, const ObjectVersion& version, const ReadOptions& options)
      : object_(object),
        version_(version),
        options_(options),
        parts_((version.size + options.part_size - 1) / options.part_size) {}

  Status Run(const ByteSink& sink) {
    std::vector<std::thread> workers;
    uint64_t threads = std::min<uint64_t>(options_.parallel, parts_);
    for (uint64_t i = 0; i < threads; ++i) workers.emplace_back([this] { Fetch(); });
    Status status = Deliver(sink);
    Stop(status);
    for (std::thread& worker : workers) worker.join();
    return status;
  }

 private:
  // Worker loop: claims the next part when the window has room, fetches it whole.
  void Fetch() {
    while (true) {
      uint64_t index;
      {
        MutexLock lock(mu_);
        while (!stop_ && next_fetch_ < parts_ &&
               next_fetch_ - next_deliver_ >= static_cast<uint64_t>(options_.parallel)) {
          cv_.Wait(mu_);
        }
        if (stop_ || next_fetch_ >= parts_) return;
        index = next_fetch_++;
      }
      uint64_t offset = index * options_.part_size;
      uint64_t length = std::min(options_.part_size, version_.size - offset);
      std::string data;
      data.reserve(length);
      Status status = object_.ReadRange(version_, offset, length, [&](std::string_view bytes) {
        if (stopping_.load(std::memory_order_relaxed)) return Status::Aborted("read stopped");
        data.append(bytes);
        return Status::Ok();
      });
      if (status.ok() && data.size() != length) {
        status =
            Status::IoError(object_.Describe() + ": part at " + std::to_string(offset) + " came back short");
      }
      MutexLock lock(mu_);
      if (!status.ok()) {
        if (!stop_) {
          error_ = status;
          stop_ = true;
          stopping_ = true;
        }
      } else {
        ready_[index] = std::move(data);
      }
      cv_.NotifyAll();
    }
  }

  Status Deliver(const ByteSink& sink) {
    uint64_t done = 0;
    for (uint64_t index = 0; index < parts_; ++index) {
      std::string data;
      {
        MutexLock lock(mu_);
        while (!stop_ && ready_.count(index) == 0) {
          if (options_.cancelled && options_.cancelled())
            return Status::Aborted(object_.Describe() + ": read cancelled");
          cv_.WaitUntil(mu_, std::chrono::steady_clock::now() + kCancelPoll);
        }
        if (stop_) return error_;
        data = std::move(ready_[index]);
        ready_.erase(index);
      }
      if (options_.cancelled && options_.cancelled())
        return Status::Aborted(object_.Describe() + ": read cancelled");
      EDGESYNC_RETURN_IF_ERROR(sink(data));
      done += data.size();
      if (options_.progress) options_.progress(done, version_.size);
      MutexLock lock(mu_);
      ++next_deliver_;
      cv_.NotifyAll();
    }
    return Status::Ok();
  }

  void Stop(const Status& status) {
    MutexLock lock(mu_);
    if (!stop_) {
      stop_ = true;
      if (!status.ok()) error_ = status;
    }
    stopping_ = true;
    cv_.NotifyAll();
  }

  RangedObject& object_;
  const ObjectVersion version_;
  const ReadOptions& options_;
  const uint64_t parts_;

  Mutex mu_;
  CondVar cv_;
  uint64_t next_fetch_ GUARDED_BY(mu_) = 0;
  uint64_t next_deliver_ GUARDED_BY(mu_) = 0;
  std::map<uint64_t, std::string> ready_ GUARDED_BY(mu_);
  bool stop_ GUARDED_BY(mu_) = false;
  Status error_ GUARDED_BY(mu_);
  // stop_ readable without the lock, for the fetch sinks' hot path.
  std::atomic<bool> stopping_{false};
};

// One request for the whole object: small objects and servers without Range support.
Status ReadInOne(RangedObject& object, const ObjectVersion& version, const ByteSink& sink,
                 const ReadOptions& options) {
  uint64_t done = 0;
  ByteSink counting = [&](std::string_view bytes) -> Status {
    if (options.cancelled && options.cancelled())
      return Status::Aborted(object.Describe() + ": read cancelled");
    EDGESYNC_RETURN_IF_ERROR(sink(bytes));
    done += bytes.size();
    if (options.progress) options.progress(done, version.size);
    return Status::Ok();
  };
  Status status = version.ranges ? object.ReadRange(version, 0, version.size, counting)
                                 : object.ReadAll(version, counting);
  EDGESYNC_RETURN_IF_ERROR(status);
  if (done != version.size) {
    return Status::IoError(object.Describe() + ": read " + std::to_string(done) + " bytes of " +
                           std::to_string(version.size));
  }
  return Status::Ok();
}

}  // namespace

Status ReadObject(RangedObject& object, const ByteSink& sink, const ReadOptions& options) {
  if (options.part_size == 0 || options.parallel < 1) {
    return Status::InvalidArgument("object read: part_size and parallel must be positive");
  }
  if (options.cancelled && options.cancelled())
    return Status::Aborted(object.Describe() + ": read cancelled");
  Result<ObjectVersion> version = object.Stat();
  if (!version.ok()) return version.status();
  if (options.progress) options.progress(0, version->size);
  if (version->size == 0) return Status::Ok();
  if (!version->ranges || version->size <= options.part_size)
    return ReadInOne(object, *version, sink, options);
  return PartPipeline(object, *version, options).Run(sink);
}

}  // namespace edgesync::objectstore
