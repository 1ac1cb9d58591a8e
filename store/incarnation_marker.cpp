#include "store/incarnation_marker.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace edgesync {
namespace {

// "edgesync-incarnation <epoch, 32 hex digits> <seq, 20 decimal digits>\n": fixed length, so
// an overwrite in place never leaves a longer old tail behind.
constexpr std::string_view kTag = "edgesync-incarnation ";
constexpr size_t kEpochDigits = 32;
constexpr size_t kSeqDigits = 20;
constexpr size_t kRecordSize = kTag.size() + kEpochDigits + 1 + kSeqDigits + 1;

std::string Encode(const IncarnationMarker::Mark& mark) {
  std::string epoch = mark.epoch.substr(0, kEpochDigits);
  epoch.resize(kEpochDigits, '0');
  std::string seq = std::to_string(mark.seq);
  return std::string(kTag) + epoch + ' ' + std::string(kSeqDigits - seq.size(), '0') + seq + '\n';
}

Result<IncarnationMarker::Mark> Decode(std::string_view text, const std::filesystem::path& path) {
  auto bad = [&] {
    return Status::Corruption("incarnation marker " + path.string() +
                              " does not parse; remove it only if this store is the newest copy");
  };
  if (text.size() != kRecordSize || text.substr(0, kTag.size()) != kTag || text.back() != '\n') return bad();
  IncarnationMarker::Mark mark;
  mark.epoch = std::string(text.substr(kTag.size(), kEpochDigits));
  std::string_view seq = text.substr(kTag.size() + kEpochDigits + 1, kSeqDigits);
  auto [end, ec] = std::from_chars(seq.data(), seq.data() + seq.size(), mark.seq);
  if (ec != std::errc() || end != seq.data() + seq.size()) return bad();
  return mark;
}

}  // namespace

IncarnationMarker::IncarnationMarker(std::filesystem::path path, int fd, std::optional<Mark> loaded)
    : path_(std::move(path)), fd_(fd), loaded_(std::move(loaded)) {}

IncarnationMarker::~IncarnationMarker() { ::close(fd_); }

Result<std::unique_ptr<IncarnationMarker>> IncarnationMarker::Open(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::IoError("open incarnation marker " + path.string() + ": " + std::strerror(errno));
  std::string text(kRecordSize + 1, '\0');
  ssize_t n = ::pread(fd, text.data(), text.size(), 0);
  if (n < 0) {
    int err = errno;
    ::close(fd);
    return Status::IoError("read incarnation marker " + path.string() + ": " + std::strerror(err));
  }
  text.resize(static_cast<size_t>(n));
  std::optional<Mark> loaded;
  if (!text.empty()) {
    auto mark = Decode(text, path);
    if (!mark.ok()) {
      ::close(fd);
      return mark.status();
    }
    loaded = std::move(mark).value();
  }
  return std::unique_ptr<IncarnationMarker>(new IncarnationMarker(path, fd, std::move(loaded)));
}

Status IncarnationMarker::Record(const Mark& mark) {
  const std::string record = Encode(mark);
  ssize_t n = ::pwrite(fd_, record.data(), record.size(), 0);
  if (n != static_cast<ssize_t>(record.size()))
    return Status::IoError("write incarnation marker " + path_.string() + ": " +
                           (n < 0 ? std::strerror(errno) : "short write"));
  return Status::Ok();
}

}  // namespace edgesync
