#include "store/version_record.h"

#include <nlohmann/json.hpp>

namespace edgesync {

using json = nlohmann::json;

std::string VersionRecord::Id(std::string_view key) const {
  std::string text(key);
  text += '\0';
  text += vector.ToString();
  text += '\0';
  text += tombstone ? std::string("delete") : manifest_id.Hex();
  return ChunkId::Of(text.data(), text.size()).Hex().substr(0, 16);
}

std::string VersionRecord::Encode() const {
  json j = {{"vector", vector.counters()}, {"hlc", hlc}, {"author", author},
            {"manifest", manifest_id.Hex()}, {"tombstone", tombstone}};
  if (!attestation.empty()) j["attestation"] = attestation;
  return j.dump();
}

Result<VersionRecord> VersionRecord::Decode(std::string_view bytes) {
  VersionRecord r;
  try {
    json j = json::parse(bytes);
    r.vector = VersionVector(j.at("vector").get<std::map<std::string, uint64_t>>());
    r.hlc = j.at("hlc").get<uint64_t>();
    r.author = j.at("author").get<std::string>();
    auto id = ChunkId::FromHex(j.at("manifest").get<std::string>());
    if (!id) return Status::Corruption("version record: bad manifest id");
    r.manifest_id = *id;
    r.tombstone = j.at("tombstone").get<bool>();
    if (auto a = j.find("attestation"); a != j.end()) r.attestation = a->get<std::string>();
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("version record: ") + e.what());
  }
  if (r.vector.empty()) return Status::Corruption("version record: empty vector");
  return r;
}

}  // namespace edgesync
