#include "store/data_key_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "store/aes_gcm.h"
#include "store/chunk_id.h"  // ToHex, FromHex

namespace edgesync {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr int kFormat = 1;
// Associated data of the wrap: a sealed data key opens only as what it is.
constexpr std::string_view kWrapLabel = "edgesync store data key, format 1";

struct WrappedKey {
  std::string key_id;
  std::string sealed;
};

Result<WrappedKey> ReadFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + file.string());
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("format", 0) != kFormat || !j["key_id"].is_string() ||
      !j["wrapped_key"].is_string())
    return Status::Corruption(file.string() + " is not a data key file this version reads");
  auto sealed = FromHex(j["wrapped_key"].get<std::string>());
  if (!sealed) return Status::Corruption(file.string() + " holds a wrapped key that is not hex");
  return WrappedKey{j["key_id"].get<std::string>(), std::move(*sealed)};
}

}  // namespace

Result<std::string> LoadDataKey(const fs::path& dir, const StoreKey* key) {
  const fs::path file = dir / kDataKeyFileName;
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    if (!key) return std::string();
    if (fs::exists(dir / "CURRENT", ec))
      return Status::FailedPrecondition("storage.encryption: the store at " + dir.string() +
                                        " was created without encryption; an existing store cannot be encrypted "
                                        "in place (set storage.encryption = \"off\", or move the store aside and "
                                        "let replication fill a new, encrypted one)");
    std::string data_key(kAesKeyBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(data_key.data()), kAesKeyBytes) != 1)
      return Status::IoError("storage.encryption: no random bytes for a new data key");
    Status written = WriteDataKey(dir, data_key, *key);
    if (!written.ok()) {
      OPENSSL_cleanse(data_key.data(), data_key.size());
      return written;
    }
    return data_key;
  }
  Result<WrappedKey> wrapped = ReadFile(file);
  if (!key)
    return Status::FailedPrecondition("storage.encryption: the store at " + dir.string() +
                                      " is encrypted; set storage.encryption = \"on\" with the key file it is "
                                      "sealed under (key id " + (wrapped.ok() ? wrapped->key_id : "unreadable") +
                                      ")");
  if (!wrapped.ok()) return wrapped.status();
  const std::string wrong_key = "storage.encryption: the key in " + key->source() +
                                " does not open this store (wrong key?): it has key id " + key->id() +
                                ", the store's data key is wrapped under key id " + wrapped->key_id;
  if (wrapped->key_id != key->id()) return Status::FailedPrecondition(wrong_key);
  std::string data_key;
  if (!GcmOpen(key->bytes(), kWrapLabel, wrapped->sealed, &data_key).ok() || data_key.size() != kAesKeyBytes)
    return Status::FailedPrecondition(wrong_key + " (the ids match, so " + file.string() + " may be damaged)");
  return data_key;
}

Status WriteDataKey(const fs::path& dir, std::string_view data_key, const StoreKey& key) {
  std::string sealed;
  EDGESYNC_RETURN_IF_ERROR(GcmSeal(key.bytes(), kWrapLabel, data_key, &sealed));
  const json j = {{"format", kFormat},
                  {"cipher", "AES-256-GCM"},
                  {"key_id", key.id()},
                  {"wrapped_key", ToHex(sealed.data(), sealed.size())}};
  const std::string text = j.dump(2) + "\n";
  const fs::path file = dir / kDataKeyFileName, temp = dir / (std::string(kDataKeyFileName) + ".tmp");
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("cannot write " + temp.string() + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    done += static_cast<size_t>(n);
  }
  const bool ok = done == text.size() && ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok) return Status::IoError("cannot write " + temp.string() + ": " + std::strerror(err));
  std::error_code ec;
  fs::rename(temp, file, ec);
  if (ec) return Status::IoError("cannot replace " + file.string() + ": " + ec.message());
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool synced = dir_fd >= 0 && ::fsync(dir_fd) == 0;
  const int sync_err = errno;
  if (dir_fd >= 0) ::close(dir_fd);
  return synced ? Status::Ok() : Status::IoError("cannot sync " + dir.string() + ": " + std::strerror(sync_err));
}

Result<std::string> DataKeyWrappedUnder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir / kDataKeyFileName, ec)) return Status::NotFound("the store at " + dir.string() + " is not encrypted");
  Result<WrappedKey> wrapped = ReadFile(dir / kDataKeyFileName);
  if (!wrapped.ok()) return wrapped.status();
  return wrapped->key_id;
}

}  // namespace edgesync
