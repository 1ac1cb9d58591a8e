#include "store/store_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <cassert>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "store/aes_gcm.h"
#include "store/chunk_id.h"  // ToHex, FromHex
#include "store/sha256.h"

namespace edgesync {
namespace {

// Long enough to see that a file holds more than a hex key and a newline.
constexpr size_t kMaxKeyFileBytes = 2 * kAesKeyBytes + 2;

// The 32 key bytes of a file's content; empty when it is neither raw nor hex.
std::string KeyBytesOf(std::string content) {
  std::string key;
  if (content.size() == kAesKeyBytes) {
    key = std::move(content);
    return key;
  }
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
  if (content.size() != 2 * kAesKeyBytes) return {};
  std::optional<std::string> bytes = FromHex(content);
  OPENSSL_cleanse(content.data(), content.size());
  if (bytes) key = std::move(*bytes);
  return key;
}

}  // namespace

Result<StoreKey> StoreKey::FromFile(const std::filesystem::path& path) {
  const std::string name = "storage.encryption: key file " + path.string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError(name + " cannot be read: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(name + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::PermissionDenied(name + " has mode " + mode +
                                    ": group or others may read it; allow only its owner (chmod 600)");
  }
  std::string content(kMaxKeyFileBytes + 1, '\0');
  size_t size = 0;
  for (ssize_t n; size < content.size() && (n = ::read(fd, content.data() + size, content.size() - size)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      OPENSSL_cleanse(content.data(), content.size());
      return Status::IoError(name + " cannot be read: " + std::strerror(err));
    }
    size += static_cast<size_t>(n);
  }
  ::close(fd);
  std::string key = size <= kMaxKeyFileBytes ? KeyBytesOf(content.substr(0, size)) : std::string();
  OPENSSL_cleanse(content.data(), content.size());
  if (key.empty())
    return Status::InvalidArgument(name + " must hold 32 bytes, raw or as 64 hex digits (it holds " +
                                   (size > kMaxKeyFileBytes ? "more" : std::to_string(size)) + " bytes)");
  return StoreKey(std::move(key), path.string());
}

StoreKey StoreKey::FromBytes(std::string bytes, std::string source) {
  assert(bytes.size() == kAesKeyBytes);
  return StoreKey(std::move(bytes), std::move(source));
}

StoreKey::~StoreKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

std::string StoreKey::id() const {
  static constexpr char kLabel[] = "edgesync store key id";
  Sha256 h;
  h.Update(kLabel, sizeof kLabel);  // with its NUL: the label and the key cannot run together
  h.Update(bytes_.data(), bytes_.size());
  const Sha256::Digest digest = h.Finish();
  return ToHex(digest.data(), 8);
}

}  // namespace edgesync
