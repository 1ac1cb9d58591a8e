// TempDir: a directory under /tmp removed with everything in it when the test ends.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <random>
#include <string>

namespace edgesync::testing {

class TempDir {
 public:
  // `base`: where to create it; /dev/shm makes fsync free for tests about logic, not I/O.
  explicit TempDir(const std::string& base = "/tmp") {
    std::string tmpl = (std::filesystem::is_directory(base) ? base : "/tmp") + "/es-XXXXXX";
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  std::filesystem::path path_;
};

// Deterministic pseudo-random bytes.
inline std::string RandomBytes(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(size, '\0');
  for (size_t i = 0; i + 8 <= size; i += 8) {
    uint64_t v = rng();
    __builtin_memcpy(&out[i], &v, 8);
  }
  for (size_t i = size - size % 8; i < size; ++i) out[i] = static_cast<char>(rng());
  return out;
}

}  // namespace edgesync::testing
