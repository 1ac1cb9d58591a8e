// FileDescriptor: owns one POSIX file descriptor and closes it on destruction.
// Movable, not copyable; thread-compatible.
#pragma once

#include <unistd.h>

#include <utility>

namespace edgesync {

class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() { Reset(); }
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.Release()) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = other.Release();
    }
    return *this;
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership without closing.
  int Release() { return std::exchange(fd_, -1); }
  // Closes now; returns close(2)'s result (0 when there was nothing to close).
  int Reset() { return fd_ >= 0 ? ::close(Release()) : 0; }

 private:
  int fd_ = -1;
};

}  // namespace edgesync
