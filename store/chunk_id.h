// ChunkId: the XXH3-128 digest of a chunk's bytes, the address of a chunk in every store.
//
// XXH3 is fast but not collision-resistant; chunk contents are trusted only after the file
// they belong to passes its SHA-256 (see Manifest). Plain value type, thread-compatible.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace edgesync {

struct ChunkId {
  std::array<uint8_t, 16> bytes{};

  static ChunkId Of(const void* data, size_t size);
  // Parses 32 lowercase or uppercase hex digits.
  static std::optional<ChunkId> FromHex(std::string_view hex);
  // Reads the 16 raw bytes of a stored key.
  static std::optional<ChunkId> FromBytes(std::string_view raw);

  std::string Hex() const;
  std::string_view AsBytes() const {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }
  auto operator<=>(const ChunkId&) const = default;
};

struct ChunkIdHash {
  size_t operator()(const ChunkId& id) const {
    size_t h;
    static_assert(sizeof(h) <= sizeof(id.bytes));
    __builtin_memcpy(&h, id.bytes.data(), sizeof(h));
    return h;
  }
};

// Lowercase hex of arbitrary bytes.
std::string ToHex(const void* data, size_t size);
// The bytes of hex digits (either case); nullopt for an odd length or another character.
std::optional<std::string> FromHex(std::string_view hex);

}  // namespace edgesync
