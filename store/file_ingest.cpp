#include "store/file_ingest.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "store/file_descriptor.h"
#include "store/sha256.h"

namespace edgesync {
namespace {

constexpr size_t kBlockBytes = 8u << 20;

// Hashes blocks handed to it in order on its own thread.
class BackgroundSha256 {
 public:
  BackgroundSha256() : thread_([this] { Run(); }) {}
  ~BackgroundSha256() {
    Submit(nullptr, 0);
    thread_.join();
  }
  // A null block ends the stream.
  void Submit(const uint8_t* data, size_t size) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    queue_.push_back({data, size});
    cv_.NotifyAll();
  }
  // Waits until the block starting at `data` has been hashed.
  void WaitDone(const uint8_t* data) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    while (!Done(data)) cv_.Wait(mu_);
  }
  std::string FinishHex() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    while (!queue_.empty() || busy_ != nullptr) cv_.Wait(mu_);
    return sha_.FinishHex();
  }

 private:
  struct Block {
    const uint8_t* data;
    size_t size;
  };
  bool Done(const uint8_t* data) REQUIRES(mu_) {
    for (const auto& b : queue_) if (b.data == data) return false;
    return busy_ != data;
  }
  void Run() EXCLUDES(mu_) {
    for (;;) {
      Block b;
      {
        MutexLock lock(mu_);
        while (queue_.empty()) cv_.Wait(mu_);
        b = queue_.front();
        queue_.pop_front();
        busy_ = b.data;
      }
      if (!b.data) return;
      sha_.Update(b.data, b.size);
      MutexLock lock(mu_);
      busy_ = nullptr;
      cv_.NotifyAll();
    }
  }
  Mutex mu_;
  CondVar cv_;
  std::deque<Block> queue_ GUARDED_BY(mu_);
  const uint8_t* busy_ GUARDED_BY(mu_) = nullptr;
  Sha256 sha_;  // the worker's until FinishHex has seen the queue drained
  std::thread thread_;
};

// Reads up to `size` bytes; returns bytes read or -1 with errno.
ssize_t ReadFull(int fd, uint8_t* buf, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, buf + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    done += n;
  }
  return static_cast<ssize_t>(done);
}

}  // namespace

Result<FileEntry> IngestFile(const std::filesystem::path& source, const std::string& path,
                             uint32_t mode, const Chunker& chunker, const ChunkSink& sink) {
  FileDescriptor fd(::open(source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0)
    return Status::IoError("cannot open '" + source.string() + "': " + std::strerror(errno));
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);

  FileEntry entry;
  entry.path = path;
  entry.mode = mode & 07777;

  const size_t carry_room = chunker.params().max_size;
  // Two blocks, each with room in front for the unchunked tail of the previous block.
  std::vector<std::unique_ptr<uint8_t[]>> blocks;
  for (int i = 0; i < 2; ++i) blocks.emplace_back(new uint8_t[carry_room + kBlockBytes]);

  Sha256 inline_sha;
  std::unique_ptr<BackgroundSha256> background_sha;
  const uint8_t* carry = nullptr;
  size_t carry_size = 0;
  for (size_t k = 0;; ++k) {
    uint8_t* base = blocks[k % 2].get();
    uint8_t* data = base + carry_room;
    if (background_sha) background_sha->WaitDone(data);
    ssize_t n = ReadFull(fd.get(), data, kBlockBytes);
    if (n < 0) return Status::IoError("reading '" + source.string() + "': " + std::strerror(errno));
    const bool eof = static_cast<size_t>(n) < kBlockBytes;
    if (k == 0 && !eof) background_sha = std::make_unique<BackgroundSha256>();
    if (background_sha) background_sha->Submit(data, n);
    else inline_sha.Update(data, n);
    entry.size += n;

    uint8_t* begin = data - carry_size;
    if (carry_size) std::memmove(begin, carry, carry_size);
    size_t available = carry_size + n;
    size_t pos = 0;
    while (pos < available && (eof || available - pos >= chunker.params().max_size)) {
      size_t len = chunker.NextCut(begin + pos, available - pos);
      ChunkId id = ChunkId::Of(begin + pos, len);
      EDGESYNC_RETURN_IF_ERROR(sink(id, std::string_view(reinterpret_cast<char*>(begin + pos), len)));
      entry.chunks.push_back({id, static_cast<uint32_t>(len)});
      pos += len;
    }
    if (eof) break;
    carry = begin + pos;
    carry_size = available - pos;
  }
  entry.sha256 = background_sha ? background_sha->FinishHex() : inline_sha.FinishHex();
  return entry;
}

}  // namespace edgesync
