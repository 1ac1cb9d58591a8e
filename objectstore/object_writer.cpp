#include "objectstore/object_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>
#include <thread>
#include <vector>

#include "base/mutex.h"

namespace edgesync::objectstore {
namespace {

constexpr uint64_t kMinPartSize = 5ull << 20;
constexpr int kMaxParts = 10000;

std::string Target(const std::string& bucket, const std::string& key) { return "s3://" + bucket + "/" + key; }

// Reads from `source` until `buffer` holds `want` bytes or the stream ends.
Status Fill(const ByteSource& source, std::string* buffer, size_t want) {
  size_t have = buffer->size();
  buffer->resize(want);
  while (have < want) {
    Result<size_t> n = source(buffer->data() + have, want - have);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    have += *n;
  }
  buffer->resize(have);
  return Status::Ok();
}

// Uploads the parts of one multipart upload on `parallel` threads; Submit blocks while that
// many parts are queued or in flight, so memory stays bounded.
class PartUploader {
 public:
  PartUploader(ObjectStore& store, const std::string& bucket, const std::string& key,
               const std::string& upload_id, int parallel)
      : store_(store), bucket_(bucket), key_(key), upload_id_(upload_id), parallel_(parallel) {
    for (int i = 0; i < parallel; ++i) workers_.emplace_back([this] { Work(); });
  }
  // Drops the parts not yet sent (the upload is being given up) and waits for those in flight.
  ~PartUploader() {
    {
      MutexLock lock(mu_);
      queue_.clear();
      closed_ = true;
      cv_.NotifyAll();
    }
    for (std::thread& worker : workers_) worker.join();
  }

  // The first upload error so far (then the part is not taken).
  Status Submit(int number, std::string data) {
    MutexLock lock(mu_);
    while (error_.ok() && queue_.size() + active_ >= static_cast<size_t>(parallel_)) cv_.Wait(mu_);
    if (!error_.ok()) return error_;
    queue_.push_back({number, std::move(data)});
    cv_.NotifyAll();
    return Status::Ok();
  }

  // Waits for every submitted part; the parts in order, or the first error.
  Result<std::vector<CompletedPart>> Finish() {
    {
      MutexLock lock(mu_);
      closed_ = true;
      cv_.NotifyAll();
    }
    for (std::thread& worker : workers_) worker.join();
    workers_.clear();
    MutexLock lock(mu_);
    if (!error_.ok()) return error_;
    std::sort(done_.begin(), done_.end(),
              [](const CompletedPart& a, const CompletedPart& b) { return a.part_number < b.part_number; });
    return done_;
  }

 private:
  struct Part {
    int number;
    std::string data;
  };

  void Work() {
    while (true) {
      Part part;
      {
        MutexLock lock(mu_);
        while (queue_.empty() && !closed_ && error_.ok()) cv_.Wait(mu_);
        if (queue_.empty() || !error_.ok()) return;
        part = std::move(queue_.front());
        queue_.pop_front();
        ++active_;
      }
      Result<std::string> etag = store_.UploadPart(bucket_, key_, upload_id_, part.number, part.data);
      MutexLock lock(mu_);
      --active_;
      if (!etag.ok()) {
        if (error_.ok()) error_ = etag.status();
        queue_.clear();
      } else {
        done_.push_back({part.number, *etag});
      }
      cv_.NotifyAll();
    }
  }

  ObjectStore& store_;
  const std::string& bucket_;
  const std::string& key_;
  const std::string& upload_id_;
  const int parallel_;
  std::vector<std::thread> workers_;

  Mutex mu_;
  CondVar cv_;
  std::deque<Part> queue_ GUARDED_BY(mu_);
  size_t active_ GUARDED_BY(mu_) = 0;
  bool closed_ GUARDED_BY(mu_) = false;
  Status error_ GUARDED_BY(mu_);
  std::vector<CompletedPart> done_ GUARDED_BY(mu_);
};

class Upload {
 public:
  Upload(ObjectStore& store, const std::string& bucket, const std::string& key, const UploadOptions& options,
         std::optional<uint64_t> size)
      : store_(store),
        bucket_(bucket),
        key_(key),
        options_(options),
        size_(size),
        metadata_(options.metadata) {
    if (!options.content_id.empty()) metadata_[kContentIdMetadata] = options.content_id;
  }

  Result<UploadResult> Run(const ByteSource& source) {
    if (options_.part_size < kMinPartSize || options_.parallel < 1) {
      return Status::InvalidArgument("upload: part_size must be at least 5 MiB and parallel at least 1");
    }
    if (!options_.content_id.empty()) {
      Result<ObjectInfo> existing = store_.Head(bucket_, key_);
      if (existing.ok() && existing->metadata[kContentIdMetadata] == options_.content_id &&
          (!size_ || existing->size == *size_)) {
        return UploadResult{.skipped = true, .etag = existing->etag, .size = existing->size};
      }
      if (!existing.ok() && !existing.status().IsNotFound()) return existing.status();
    }
    if (Cancelled()) return Cancel();
    std::string head;
    if (!size_ || *size_ <= options_.multipart_threshold) {
      // One byte past the threshold tells a stream that needs a multipart upload.
      EDGESYNC_RETURN_IF_ERROR(Fill(source, &head, options_.multipart_threshold + 1));
      if (head.size() <= options_.multipart_threshold) return PutOne(head);
    }
    return Multipart(source, std::move(head));
  }

 private:
  bool Cancelled() const { return options_.cancelled && options_.cancelled(); }
  Status Cancel() const { return Status::Aborted(Target(bucket_, key_) + ": upload cancelled"); }
  void Progress(uint64_t done) const {
    if (options_.progress) options_.progress(done, size_.value_or(0));
  }
  Status CheckSize(uint64_t sent) const {
    if (size_ && sent != *size_) {
      return Status::FailedPrecondition(
          Target(bucket_, key_) + ": the source changed size during the upload (" + std::to_string(*size_) +
          " bytes, then " + std::to_string(sent) + ")");
    }
    return Status::Ok();
  }

  Result<UploadResult> PutOne(const std::string& data) {
    EDGESYNC_RETURN_IF_ERROR(CheckSize(data.size()));
    Result<std::string> etag = store_.Put(bucket_, key_, data, metadata_);
    if (!etag.ok()) return etag.status();
    Progress(data.size());
    return UploadResult{.etag = *etag, .size = data.size()};
  }

  Result<UploadResult> Multipart(const ByteSource& source, std::string head) {
    uint64_t part_size = options_.part_size;
    if (size_ && *size_ / part_size >= kMaxParts)
      part_size = (*size_ / kMaxParts + (1 << 20)) & ~((1ull << 20) - 1);
    Result<std::string> upload_id = store_.CreateMultipartUpload(bucket_, key_, metadata_);
    if (!upload_id.ok()) return upload_id.status();
    Result<UploadResult> result = SendParts(source, std::move(head), part_size, *upload_id);
    if (!result.ok()) {
      // Best effort: the upload failed already, and S3 lifecycle rules clean up what remains.
      store_.AbortMultipartUpload(bucket_, key_, *upload_id);
    }
    return result;
  }

  Result<UploadResult> SendParts(const ByteSource& source, std::string head, uint64_t part_size,
                                 const std::string& upload_id) {
    PartUploader uploader(store_, bucket_, key_, upload_id, options_.parallel);
    uint64_t sent = 0;
    size_t head_used = 0;
    for (int number = 1;; ++number) {
      if (Cancelled()) return Cancel();
      std::string part = head.substr(head_used, part_size);
      head_used += part.size();
      if (head_used >= head.size()) {
        head.clear();
        head_used = 0;
      }
      EDGESYNC_RETURN_IF_ERROR(Fill(source, &part, part_size));
      if (part.empty() && number > 1) break;
      if (number > kMaxParts) {
        return Status::TooLarge(Target(bucket_, key_) + ": more than " + std::to_string(kMaxParts) +
                                " parts; use a larger part size");
      }
      bool last = part.size() < part_size;
      sent += part.size();
      EDGESYNC_RETURN_IF_ERROR(uploader.Submit(number, std::move(part)));
      Progress(sent);
      if (last) break;
    }
    EDGESYNC_RETURN_IF_ERROR(CheckSize(sent));
    Result<std::vector<CompletedPart>> parts = uploader.Finish();
    if (!parts.ok()) return parts.status();
    Result<std::string> etag = store_.CompleteMultipartUpload(bucket_, key_, upload_id, *parts);
    if (!etag.ok()) return etag.status();
    return UploadResult{.etag = *etag, .size = sent};
  }

  ObjectStore& store_;
  const std::string& bucket_;
  const std::string& key_;
  const UploadOptions& options_;
  const std::optional<uint64_t> size_;
  Metadata metadata_;
};

}  // namespace

Result<UploadResult> UploadStream(ObjectStore& store, const std::string& bucket, const std::string& key,
                                  const ByteSource& source, const UploadOptions& options) {
  return Upload(store, bucket, key, options, std::nullopt).Run(source);
}

Result<UploadResult> UploadFile(ObjectStore& store, const std::string& bucket, const std::string& key,
                                const std::filesystem::path& file, const UploadOptions& options) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open " + file.string() + ": " + std::strerror(errno));
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    return Status::IoError("cannot stat " + file.string() + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(file.string() + " is not a regular file");
  ByteSource source = [&](char* buffer, size_t capacity) -> Result<size_t> {
    while (true) {
      ssize_t n = ::read(fd, buffer, capacity);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR)
        return Status::IoError("cannot read " + file.string() + ": " + std::strerror(errno));
    }
  };
  return Upload(store, bucket, key, options, static_cast<uint64_t>(st.st_size)).Run(source);
}

}  // namespace edgesync::objectstore
