#include "store/chunk_id.h"

#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace edgesync {

ChunkId ChunkId::Of(const void* data, size_t size) {
  XXH128_canonical_t canon;
  XXH128_canonicalFromHash(&canon, XXH3_128bits(data, size));
  ChunkId id;
  std::memcpy(id.bytes.data(), canon.digest, id.bytes.size());
  return id;
}

static int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<ChunkId> ChunkId::FromHex(std::string_view hex) {
  ChunkId id;
  if (hex.size() != id.bytes.size() * 2) return std::nullopt;
  std::optional<std::string> bytes = edgesync::FromHex(hex);
  if (!bytes) return std::nullopt;
  std::memcpy(id.bytes.data(), bytes->data(), id.bytes.size());
  return id;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

std::optional<ChunkId> ChunkId::FromBytes(std::string_view raw) {
  ChunkId id;
  if (raw.size() != id.bytes.size()) return std::nullopt;
  std::memcpy(id.bytes.data(), raw.data(), raw.size());
  return id;
}

std::string ChunkId::Hex() const { return ToHex(bytes.data(), bytes.size()); }

std::string ToHex(const void* data, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  const auto* p = static_cast<const uint8_t*>(data);
  std::string out(size * 2, '\0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 15];
  }
  return out;
}

}  // namespace edgesync
