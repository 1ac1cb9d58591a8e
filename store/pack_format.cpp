#include "store/pack_format.h"

#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace edgesync {
namespace {

constexpr char kPackMagic[] = "ESPACK01";
constexpr char kPackPrefix[] = "packs/";
constexpr char kPackSuffix[] = ".pack";

void AppendLittle(std::string* out, uint64_t v, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

uint64_t ReadLittle(std::string_view in, size_t at, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes; ++i) v |= uint64_t{static_cast<uint8_t>(in[at + i])} << (8 * i);
  return v;
}

}  // namespace

std::string PackName(uint64_t pack_id) {
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(pack_id));
  return std::string(kPackPrefix) + hex + kPackSuffix;
}

bool ParsePackName(std::string_view name, uint64_t* pack_id) {
  const size_t prefix = sizeof(kPackPrefix) - 1, suffix = sizeof(kPackSuffix) - 1;
  if (name.size() != prefix + 16 + suffix || name.substr(0, prefix) != kPackPrefix ||
      name.substr(prefix + 16) != kPackSuffix)
    return false;
  uint64_t v = 0;
  for (char c : name.substr(prefix, 16)) {
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return false;
    v = (v << 4) | static_cast<uint64_t>(digit);
  }
  *pack_id = v;
  return true;
}

void PackBuilder::Add(const ChunkId& id, std::string_view data) {
  entries_.push_back({id, bytes_.size(), static_cast<uint32_t>(data.size())});
  bytes_.append(data);
}

std::string PackBuilder::Seal() {
  const uint64_t index_offset = bytes_.size();
  for (const auto& e : entries_) {
    bytes_.append(e.id.AsBytes());
    AppendLittle(&bytes_, e.offset, 8);
    AppendLittle(&bytes_, e.size, 4);
  }
  const uint64_t index_hash = XXH3_64bits(bytes_.data() + index_offset, bytes_.size() - index_offset);
  AppendLittle(&bytes_, index_offset, 8);
  AppendLittle(&bytes_, entries_.size(), 8);
  AppendLittle(&bytes_, index_hash, 8);
  bytes_.append(kPackMagic, 8);
  entries_.clear();
  return std::move(bytes_);
}

void PackBuilder::Reuse(std::string buffer) {
  buffer.clear();
  bytes_ = std::move(buffer);
}

Result<PackFooter> DecodePackFooter(std::string_view footer, uint64_t pack_size) {
  if (footer.size() < kPackFooterBytes || pack_size < kPackFooterBytes)
    return Status::Corruption("pack is shorter than its footer");
  footer = footer.substr(footer.size() - kPackFooterBytes);
  if (std::memcmp(footer.data() + 24, kPackMagic, 8) != 0) return Status::Corruption("pack footer has no magic");
  PackFooter f{ReadLittle(footer, 0, 8), ReadLittle(footer, 8, 8)};
  const uint64_t index_end = pack_size - kPackFooterBytes;
  if (f.index_offset > index_end || (index_end - f.index_offset) != f.entries * kPackIndexEntryBytes)
    return Status::Corruption("pack footer does not match the pack's size");
  return f;
}

Result<std::vector<PackEntry>> DecodePackIndex(std::string_view index, const PackFooter& footer,
                                               std::string_view footer_bytes) {
  if (index.size() != footer.entries * kPackIndexEntryBytes)
    return Status::Corruption("pack index has the wrong size");
  const std::string_view tail = footer_bytes.substr(footer_bytes.size() - kPackFooterBytes);
  if (XXH3_64bits(index.data(), index.size()) != ReadLittle(tail, 16, 8))
    return Status::Corruption("pack index does not match its checksum");
  std::vector<PackEntry> entries(footer.entries);
  for (size_t i = 0; i < entries.size(); ++i) {
    const size_t at = i * kPackIndexEntryBytes;
    entries[i].id = *ChunkId::FromBytes(index.substr(at, 16));
    entries[i].offset = ReadLittle(index, at + 16, 8);
    entries[i].size = static_cast<uint32_t>(ReadLittle(index, at + 24, 4));
    if (entries[i].offset + entries[i].size > footer.index_offset)
      return Status::Corruption("pack index entry points past the chunk bytes");
  }
  return entries;
}

}  // namespace edgesync
