#include "store/manifest.h"

#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

#include "base/json_depth.h"
#include "store/object_key.h"

namespace edgesync {

using json = nlohmann::json;

namespace {
constexpr uint64_t kMaxFileBytes = 1ULL << 44;  // 16 TiB: anything larger is a lie
constexpr size_t kMaxChunkBytes = 64u << 20;

// A non-negative integer no larger than `max`, or nullopt. nlohmann's get<> would wrap negative
// numbers and convert out-of-range floats with undefined behavior.
std::optional<uint64_t> AsUnsigned(const json& value, uint64_t max) {
  if (!value.is_number_unsigned() || value.get<uint64_t>() > max) return std::nullopt;
  return value.get<uint64_t>();
}
}  // namespace

uint64_t Manifest::TotalBytes() const {
  uint64_t total = 0;
  for (const auto& f : files) total += f.size;
  return total;
}

FileSelection Manifest::Select(std::string_view prefix) const {
  FileSelection selection;
  for (const auto& f : files) {
    if (f.path.compare(0, prefix.size(), prefix) != 0) continue;
    ++selection.files;
    selection.bytes += f.size;
  }
  return selection;
}

std::string Manifest::Encode() const {
  json j;
  j["spec"] = json::parse(spec_json);
  json files_json = json::array();
  for (const auto& f : files) {
    json chunks = json::array();
    for (const auto& c : f.chunks) chunks.push_back(json::array({c.id.Hex(), c.size}));
    files_json.push_back({{"path", f.path}, {"size", f.size}, {"mode", f.mode},
                          {"sha256", f.sha256}, {"chunks", std::move(chunks)}});
  }
  j["files"] = std::move(files_json);
  j["format"] = 1;
  return j.dump();
}

Status Manifest::Validate() const {
  std::string previous;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    EDGESYNC_RETURN_IF_ERROR(ValidateRelativePath(f.path).WithContext("manifest"));
    if (i > 0 && f.path <= previous)
      return Status::Corruption("manifest files not sorted or duplicated at '" + f.path + "'");
    previous = f.path;
    if (f.size > kMaxFileBytes) return Status::Corruption("manifest file '" + f.path + "' too large");
    if (f.mode > 07777) return Status::Corruption("manifest file '" + f.path + "' has bad mode");
    if (f.sha256.size() != 64) return Status::Corruption("manifest file '" + f.path + "' has bad sha256");
    uint64_t sum = 0;
    for (const auto& c : f.chunks) {
      if (c.size == 0 || c.size > kMaxChunkBytes)
        return Status::Corruption("manifest file '" + f.path + "' has a bad chunk size");
      sum += c.size;
    }
    if (sum != f.size)
      return Status::Corruption("manifest file '" + f.path + "' chunk sizes do not add up");
  }
  return Status::Ok();
}

Result<Manifest> Manifest::Decode(std::string_view bytes) {
  Manifest m;
  if (!JsonDepthWithin(bytes)) return Status::Corruption("manifest: nested too deeply");
  try {
    json j = json::parse(bytes);
    if (!j.is_object() || !j.contains("format") || AsUnsigned(j["format"], 1) != 1u)
      return Status::Corruption("manifest: unknown format");
    if (!j.at("spec").is_object()) return Status::Corruption("manifest: spec is not an object");
    m.spec_json = j.at("spec").dump();
    for (const auto& fj : j.at("files")) {
      FileEntry f;
      f.path = fj.at("path").get<std::string>();
      auto size = AsUnsigned(fj.at("size"), std::numeric_limits<uint64_t>::max());
      auto mode = AsUnsigned(fj.at("mode"), std::numeric_limits<uint32_t>::max());
      if (!size || !mode) return Status::Corruption("manifest: file size or mode is not a non-negative integer");
      f.size = *size;
      f.mode = static_cast<uint32_t>(*mode);
      f.sha256 = fj.at("sha256").get<std::string>();
      for (const auto& cj : fj.at("chunks")) {
        auto id = ChunkId::FromHex(cj.at(0).get<std::string>());
        if (!id) return Status::Corruption("manifest: bad chunk id");
        auto chunk_size = AsUnsigned(cj.at(1), std::numeric_limits<uint32_t>::max());
        if (!chunk_size) return Status::Corruption("manifest: chunk size is not a non-negative integer");
        f.chunks.push_back({*id, static_cast<uint32_t>(*chunk_size)});
      }
      m.files.push_back(std::move(f));
    }
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("manifest: ") + e.what());
  }
  EDGESYNC_RETURN_IF_ERROR(m.Validate());
  return m;
}

ChunkId ManifestId(const std::string& encoded) { return ChunkId::Of(encoded.data(), encoded.size()); }

Result<std::string> CanonicalJsonObject(std::string_view text) {
  if (!JsonDepthWithin(text)) return Status::InvalidArgument("spec is nested too deeply");
  try {
    json j = json::parse(text);
    if (!j.is_object()) return Status::InvalidArgument("spec must be a JSON object");
    return j.dump();
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("spec is not valid JSON: ") + e.what());
  }
}

}  // namespace edgesync
