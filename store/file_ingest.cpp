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

// Splits the bytes of one file, block by block, into chunks and hashes them: the part of a put
// that is the same whether the bytes come from a local file or a stream. Two blocks, each with
// room in front for the unchunked tail of the previous one; the caller fills NextBlock() and
// hands it to Consume().
class BlockIngest {
 public:
  BlockIngest(const std::string& path, uint32_t mode, const Chunker& chunker, const ChunkSink& sink)
      : chunker_(chunker), sink_(sink), carry_room_(chunker.params().max_size) {
    entry_.path = path;
    entry_.mode = mode & 07777;
    for (int i = 0; i < 2; ++i) blocks_.emplace_back(new uint8_t[carry_room_ + kBlockBytes]);
  }

  // kBlockBytes of room for the next block's bytes.
  uint8_t* NextBlock() {
    uint8_t* data = blocks_[k_ % 2].get() + carry_room_;
    if (background_sha_) background_sha_->WaitDone(data);
    return data;
  }

  // Chunks the `n` bytes written at NextBlock(); `eof` marks the last block (n may be 0).
  Status Consume(size_t n, bool eof) {
    uint8_t* data = blocks_[k_ % 2].get() + carry_room_;
    if (k_ == 0 && !eof) background_sha_ = std::make_unique<BackgroundSha256>();
    if (background_sha_) background_sha_->Submit(data, n);
    else inline_sha_.Update(data, n);
    entry_.size += n;
    ++k_;

    uint8_t* begin = data - carry_size_;
    if (carry_size_) std::memmove(begin, carry_, carry_size_);
    size_t available = carry_size_ + n;
    size_t pos = 0;
    while (pos < available && (eof || available - pos >= chunker_.params().max_size)) {
      size_t len = chunker_.NextCut(begin + pos, available - pos);
      ChunkId id = ChunkId::Of(begin + pos, len);
      EDGESYNC_RETURN_IF_ERROR(sink_(id, std::string_view(reinterpret_cast<char*>(begin + pos), len)));
      entry_.chunks.push_back({id, static_cast<uint32_t>(len)});
      pos += len;
    }
    carry_ = begin + pos;
    carry_size_ = available - pos;
    return Status::Ok();
  }

  // REQUIRES: the last Consume() had `eof`.
  FileEntry Finish() {
    entry_.sha256 = background_sha_ ? background_sha_->FinishHex() : inline_sha_.FinishHex();
    return std::move(entry_);
  }

 private:
  const Chunker& chunker_;
  const ChunkSink& sink_;
  const size_t carry_room_;
  std::vector<std::unique_ptr<uint8_t[]>> blocks_;
  size_t k_ = 0;  // blocks consumed
  const uint8_t* carry_ = nullptr;
  size_t carry_size_ = 0;
  Sha256 inline_sha_;
  std::unique_ptr<BackgroundSha256> background_sha_;  // large files: SHA-256 beside chunking
  FileEntry entry_;
};

}  // namespace

Result<FileEntry> IngestFile(const std::filesystem::path& source, const std::string& path,
                             uint32_t mode, const Chunker& chunker, const ChunkSink& sink) {
  FileDescriptor fd(::open(source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0)
    return Status::IoError("cannot open '" + source.string() + "': " + std::strerror(errno));
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);

  BlockIngest ingest(path, mode, chunker, sink);
  for (;;) {
    uint8_t* data = ingest.NextBlock();
    ssize_t n = ReadFull(fd.get(), data, kBlockBytes);
    if (n < 0) return Status::IoError("reading '" + source.string() + "': " + std::strerror(errno));
    const bool eof = static_cast<size_t>(n) < kBlockBytes;
    EDGESYNC_RETURN_IF_ERROR(ingest.Consume(n, eof));
    if (eof) break;
  }
  return ingest.Finish();
}

Result<FileEntry> IngestStream(const ByteStream& stream, const std::string& path, uint32_t mode,
                               const Chunker& chunker, const ChunkSink& sink) {
  BlockIngest ingest(path, mode, chunker, sink);
  uint8_t* block = ingest.NextBlock();
  size_t filled = 0;
  Status streamed = stream([&](std::string_view bytes) -> Status {
    while (!bytes.empty()) {
      const size_t take = std::min(bytes.size(), kBlockBytes - filled);
      std::memcpy(block + filled, bytes.data(), take);
      filled += take;
      bytes.remove_prefix(take);
      if (filled == kBlockBytes) {
        EDGESYNC_RETURN_IF_ERROR(ingest.Consume(filled, /*eof=*/false));
        block = ingest.NextBlock();
        filled = 0;
      }
    }
    return Status::Ok();
  });
  EDGESYNC_RETURN_IF_ERROR(streamed);
  EDGESYNC_RETURN_IF_ERROR(ingest.Consume(filled, /*eof=*/true));
  return ingest.Finish();
}

}  // namespace edgesync
