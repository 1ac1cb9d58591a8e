#include "store/chunk_location.h"

namespace edgesync {
namespace {

constexpr size_t kSegmentBytes = 8;
constexpr size_t kLegacyValueBytes = 4;
constexpr size_t kValueBytes = kLegacyValueBytes + kSegmentBytes;
constexpr size_t kPackValueBytes = kLegacyValueBytes + 16;

uint64_t ReadLittle64(std::string_view value, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v |= uint64_t{static_cast<uint8_t>(value[at + i])} << (8 * i);
  return v;
}

}  // namespace

std::string EncodeChunkIndexValue(uint32_t size, uint64_t segment) {
  std::string out(kValueBytes, '\0');
  for (size_t i = 0; i < 4; ++i) out[i] = static_cast<char>(size >> (8 * i));
  for (size_t i = 0; i < kSegmentBytes; ++i) out[4 + i] = static_cast<char>(segment >> (8 * i));
  return out;
}

std::string EncodePackIndexValue(uint32_t size, const PackSlot& slot) {
  std::string out(kPackValueBytes, '\0');
  for (size_t i = 0; i < 4; ++i) out[i] = static_cast<char>(size >> (8 * i));
  for (size_t i = 0; i < 8; ++i) out[4 + i] = static_cast<char>(slot.pack >> (8 * i));
  for (size_t i = 0; i < 8; ++i) out[12 + i] = static_cast<char>(slot.offset >> (8 * i));
  return out;
}

Result<ChunkLocation> DecodeChunkIndexValue(std::string_view value) {
  if (value.size() != kLegacyValueBytes && value.size() != kValueBytes && value.size() != kPackValueBytes)
    return Status::Corruption("chunk index entry of " + std::to_string(value.size()) + " bytes");
  ChunkLocation location;
  for (size_t i = 0; i < 4; ++i) location.size |= uint32_t{static_cast<uint8_t>(value[i])} << (8 * i);
  if (value.size() == kValueBytes) {
    const uint64_t segment = ReadLittle64(value, 4);
    if (segment > kMaxChunkSegment) return Status::Corruption("chunk index entry names a bad segment");
    location.segment = segment;
  } else if (value.size() == kPackValueBytes) {
    location.pack = PackSlot{ReadLittle64(value, 4), ReadLittle64(value, 12)};
  }
  return location;
}

std::string ChunkDataKey(const ChunkId& id, const ChunkLocation& location) {
  if (!location.segment) return std::string(id.AsBytes());
  std::string key(kSegmentBytes, '\0');
  for (size_t i = 0; i < kSegmentBytes; ++i)  // big-endian: keys sort by segment
    key[i] = static_cast<char>(*location.segment >> (8 * (kSegmentBytes - 1 - i)));
  key.append(id.AsBytes());
  return key;
}

std::optional<uint64_t> SegmentOfDataKey(std::string_view key) {
  if (key.size() != kSegmentBytes + 16 || key[0] != 0) return std::nullopt;
  uint64_t segment = 0;
  for (size_t i = 0; i < kSegmentBytes; ++i) segment = (segment << 8) | static_cast<uint8_t>(key[i]);
  return segment;
}

}  // namespace edgesync
