#include "replication/messages.h"

#include <limits>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include "replication/messages.pb.h"
#include "replication/version_attestation.h"
#include "store/object_key.h"

namespace edgesync::replication {
namespace {

template <typename Proto>
std::string Serialize(const Proto& p) {
  std::string out;
  p.SerializeToString(&out);
  return out;
}

template <typename Proto>
Status Parse(Proto* p, std::string_view bytes, const char* what) {
  if (!p->ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return Status::InvalidArgument(std::string("malformed ") + what + " message");
  return Status::Ok();
}

Result<ChunkId> IdFrom(const std::string& bytes, const char* what) {
  auto id = ChunkId::FromBytes(bytes);
  if (!id) return Status::InvalidArgument(std::string(what) + ": id is not 16 bytes");
  return *id;
}

bool IsVersionId(const std::string& id) {
  return id.size() == 16 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Both empty (an older peer), or a valid key and version id.
Result<RequestedVersion> RequestedVersionFrom(const std::string& key, const std::string& version_id,
                                              const char* what) {
  if (key.empty() && version_id.empty()) return RequestedVersion{};
  auto parsed = ObjectKey::Parse(key);
  if (!parsed.ok()) return parsed.status().WithContext(what);
  if (!IsVersionId(version_id)) return Status::InvalidArgument(std::string(what) + ": bad version id");
  return RequestedVersion{key, version_id};
}

void ToWire(const VersionRecord& r, wire::Version* v) {
  for (const auto& [node, counter] : r.vector.counters()) (*v->mutable_vector())[node] = counter;
  v->set_hlc(r.hlc);
  v->set_author(r.author);
  if (!r.tombstone) v->set_manifest_id(std::string(r.manifest_id.AsBytes()));
  v->set_tombstone(r.tombstone);
  if (!r.attestation.empty()) v->set_attestation(r.attestation);
}

Result<VersionRecord> FromWire(const wire::Version& v) {
  VersionRecord r;
  if (v.vector_size() == 0) return Status::InvalidArgument("version without a vector");
  if (static_cast<size_t>(v.vector_size()) > kMaxVectorEntries)
    return Status::InvalidArgument("version vector has too many entries");
  std::map<std::string, uint64_t> counters;
  for (const auto& [node, counter] : v.vector()) {
    if (node.empty() || node.size() > 128) return Status::InvalidArgument("bad node id in version vector");
    if (counter == 0 || counter > (1ull << 62)) return Status::InvalidArgument("absurd counter in version vector");
    counters[node] = counter;
  }
  r.vector = VersionVector(std::move(counters));
  r.hlc = v.hlc();
  r.author = v.author();
  if (r.author.empty() || r.author.size() > 128) return Status::InvalidArgument("bad version author");
  r.tombstone = v.tombstone();
  if (v.attestation().size() > kMaxAttestationBytes) return Status::InvalidArgument("version attestation too large");
  r.attestation = v.attestation();
  if (!r.tombstone) {
    auto id = IdFrom(v.manifest_id(), "version manifest");
    if (!id.ok()) return id.status();
    r.manifest_id = *id;
  }
  return r;
}

}  // namespace

std::string Encode(const ChangesRequest& m) {
  wire::ChangesRequest p;
  p.set_since(m.since);
  p.set_limit(m.limit);
  for (const auto& glob : m.subscriptions) p.add_subscriptions(glob);
  return Serialize(p);
}

std::string Encode(const ChangesBatch& m) {
  wire::ChangesBatch p;
  for (const auto& c : m.changes) {
    auto* kh = p.add_changes();
    kh->set_key(c.key);
    for (const auto& h : c.heads) ToWire(h, kh->add_heads());
  }
  p.set_upto(m.upto);
  p.set_more(m.more);
  p.set_latest(m.latest);
  if (m.purge) {
    p.mutable_purge()->set_horizon_ms(m.purge->horizon_ms);
    p.mutable_purge()->set_your_log_read_upto(m.purge->your_log_read_upto);
  }
  return Serialize(p);
}

std::string EncodePoke(uint64_t seq) {
  wire::Poke p;
  p.set_seq(seq);
  return Serialize(p);
}

std::string Encode(const ManifestRequest& m) {
  wire::ManifestRequest p;
  p.set_manifest_id(std::string(m.manifest_id.AsBytes()));
  p.set_key(m.version.key);
  p.set_version_id(m.version.version_id);
  return Serialize(p);
}

std::string Encode(const ManifestReply& m) {
  wire::ManifestReply p;
  p.set_manifest_id(std::string(m.manifest_id.AsBytes()));
  p.set_found(m.found);
  p.set_manifest(m.manifest);
  return Serialize(p);
}

std::string Encode(const ChunkRequest& m) {
  wire::ChunkRequest p;
  for (const auto& id : m.ids) p.add_ids(std::string(id.AsBytes()));
  for (const auto& base : m.bases) p.add_bases(base ? std::string(base->AsBytes()) : std::string());
  p.set_priority(static_cast<uint32_t>(m.priority) + 1);
  p.set_key(m.version.key);
  p.set_version_id(m.version.version_id);
  return Serialize(p);
}

std::string Encode(ChunkData&& m) {
  wire::ChunkData p;
  p.set_id(std::string(m.id.AsBytes()));
  p.set_found(m.found);
  p.set_data(std::move(m.data));
  p.set_encoding(static_cast<wire::ChunkEncoding>(m.encoding));
  if (m.encoding == ChunkEncoding::kZstdWithBase) p.set_base(std::string(m.base.AsBytes()));
  return Serialize(p);
}

std::string Encode(const ChunkAvailability& m) {
  wire::ChunkAvailability p;
  p.set_key(m.key);
  p.set_version_id(m.version_id);
  p.set_held(m.held);
  p.set_fetching_all(m.fetching_all);
  return Serialize(p);
}

Result<ChangesRequest> DecodeChangesRequest(std::string_view bytes) {
  wire::ChangesRequest p;
  EDGESYNC_RETURN_IF_ERROR(Parse(&p, bytes, "changes request"));
  if (static_cast<size_t>(p.subscriptions_size()) > kMaxSubscriptions)
    return Status::InvalidArgument("changes request carries too many subscriptions");
  ChangesRequest m{p.since(), p.limit(), {}};
  for (const auto& glob : p.subscriptions()) {
    if (glob.empty() || glob.size() > 512) return Status::InvalidArgument("changes request: bad subscription");
    m.subscriptions.push_back(glob);
  }
  return m;
}

Result<ChangesBatch> DecodeChangesBatch(std::string_view bytes) {
  wire::ChangesBatch p;
  EDGESYNC_RETURN_IF_ERROR(Parse(&p, bytes, "changes batch"));
  if (static_cast<size_t>(p.changes_size()) > kMaxChangesPerBatch)
    return Status::InvalidArgument("changes batch holds more than " + std::to_string(kMaxChangesPerBatch) + " keys");
  ChangesBatch m;
  m.upto = p.upto();
  m.more = p.more();
  m.latest = p.latest();
  if (p.has_purge()) m.purge = PurgeNotice{p.purge().horizon_ms(), p.purge().your_log_read_upto()};
  for (const auto& kh : p.changes()) {
    auto key = ObjectKey::Parse(kh.key());
    if (!key.ok()) return key.status().WithContext("changes batch");
    if (kh.heads_size() == 0 || static_cast<size_t>(kh.heads_size()) > kMaxHeadsPerKey)
      return Status::InvalidArgument("changes batch: key " + kh.key() + " has a bad number of heads");
    KeyHeads out{kh.key(), {}};
    for (const auto& v : kh.heads()) {
      auto r = FromWire(v);
      if (!r.ok()) return r.status().WithContext("changes batch: key " + kh.key());
      out.heads.push_back(std::move(r).value());
    }
    m.changes.push_back(std::move(out));
  }
  return m;
}

Result<uint64_t> DecodePoke(std::string_view bytes) {
  wire::Poke p;
  EDGESYNC_RETURN_IF_ERROR(Parse(&p, bytes, "poke"));
  return p.seq();
}

Result<ManifestRequest> DecodeManifestRequest(std::string_view bytes) {
  wire::ManifestRequest p;
  EDGESYNC_RETURN_IF_ERROR(Parse(&p, bytes, "manifest request"));
  auto id = IdFrom(p.manifest_id(), "manifest request");
  if (!id.ok()) return id.status();
  auto version = RequestedVersionFrom(p.key(), p.version_id(), "manifest request");
  if (!version.ok()) return version.status();
  return ManifestRequest{*id, std::move(version).value()};
}

Result<ManifestReply> DecodeManifestReply(std::string_view bytes) {
  wire::ManifestReply p;
  EDGESYNC_RETURN_IF_ERROR(Parse(&p, bytes, "manifest reply"));
  auto id = IdFrom(p.manifest_id(), "manifest reply");
  if (!id.ok()) return id.status();
  return ManifestReply{*id, p.found(), p.manifest()};
}

Result<ChunkRequest> DecodeChunkRequest(std::string_view bytes) {
  wire::ChunkRequest p;
  EDGESYNC_RETURN_IF_ERROR(Parse(&p, bytes, "chunk request"));
  if (static_cast<size_t>(p.ids_size()) > kMaxChunksPerRequest)
    return Status::InvalidArgument("chunk request asks for too many chunks");
  if (p.bases_size() != 0 && p.bases_size() != p.ids_size())
    return Status::InvalidArgument("chunk request: bases do not match ids");
  ChunkRequest m;
  auto version = RequestedVersionFrom(p.key(), p.version_id(), "chunk request");
  if (!version.ok()) return version.status();
  m.version = std::move(version).value();
  if (p.priority() >= 1 && p.priority() <= 3) m.priority = static_cast<limits::PriorityClass>(p.priority() - 1);
  for (const auto& raw : p.ids()) {
    auto id = IdFrom(raw, "chunk request");
    if (!id.ok()) return id.status();
    m.ids.push_back(*id);
  }
  for (const auto& raw : p.bases()) {
    if (raw.empty()) {
      m.bases.push_back(std::nullopt);
      continue;
    }
    auto id = IdFrom(raw, "chunk request base");
    if (!id.ok()) return id.status();
    m.bases.push_back(*id);
  }
  return m;
}

// Walks wire::ChunkData's fields by hand (the same wire format) so that the payload, most of
// every byte received, is viewed in place rather than copied into a protobuf string. As with
// protobuf, a repeated field's last value wins and unknown fields are skipped; it is stricter
// only in refusing groups.
Result<ChunkDataView> DecodeChunkData(std::string_view bytes) {
  using google::protobuf::internal::WireFormatLite;
  const Status malformed = Status::InvalidArgument("malformed chunk data message");
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) return malformed;
  const auto* start = reinterpret_cast<const uint8_t*>(bytes.data());
  google::protobuf::io::CodedInputStream in(start, static_cast<int>(bytes.size()));
  ChunkDataView m;
  std::string_view id, base;
  uint64_t encoding = wire::RAW;
  // Length-delimited field at the cursor, viewed in `bytes`.
  auto view = [&](std::string_view* out) {
    uint32_t length = 0;
    if (!in.ReadVarint32(&length)) return false;
    const int at = in.CurrentPosition();
    if (!in.Skip(static_cast<int>(length))) return false;
    *out = bytes.substr(static_cast<size_t>(at), length);
    return true;
  };
  while (in.CurrentPosition() < static_cast<int>(bytes.size())) {
    uint64_t tag64 = 0;
    if (!in.ReadVarint64(&tag64) || tag64 > std::numeric_limits<uint32_t>::max() || (tag64 >> 3) == 0) return malformed;
    const auto tag = static_cast<uint32_t>(tag64);
    const auto type = WireFormatLite::GetTagWireType(tag);
    // Groups are long deprecated and never sent: refused rather than skipped.
    if (type == WireFormatLite::WIRETYPE_START_GROUP || type == WireFormatLite::WIRETYPE_END_GROUP) return malformed;
    const int field = WireFormatLite::GetTagFieldNumber(tag);
    constexpr auto kBytes = WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
    constexpr auto kVarint = WireFormatLite::WIRETYPE_VARINT;
    bool ok = true;
    uint64_t varint = 0;
    if (field == wire::ChunkData::kIdFieldNumber && type == kBytes) ok = view(&id);
    else if (field == wire::ChunkData::kDataFieldNumber && type == kBytes) ok = view(&m.data);
    else if (field == wire::ChunkData::kBaseFieldNumber && type == kBytes) ok = view(&base);
    else if (field == wire::ChunkData::kFoundFieldNumber && type == kVarint) {
      ok = in.ReadVarint64(&varint);
      m.found = varint != 0;
    } else if (field == wire::ChunkData::kEncodingFieldNumber && type == kVarint) {
      ok = in.ReadVarint64(&encoding);
    } else {
      ok = WireFormatLite::SkipField(&in, tag);
    }
    if (!ok) return malformed;
  }
  if (in.CurrentPosition() != static_cast<int>(bytes.size())) return malformed;
  auto parsed_id = IdFrom(std::string(id), "chunk data");
  if (!parsed_id.ok()) return parsed_id.status();
  m.id = *parsed_id;
  switch (encoding) {
    case wire::RAW: m.encoding = ChunkEncoding::kRaw; break;
    case wire::ZSTD: m.encoding = ChunkEncoding::kZstd; break;
    case wire::ZSTD_WITH_BASE: {
      m.encoding = ChunkEncoding::kZstdWithBase;
      auto parsed_base = IdFrom(std::string(base), "chunk data base");
      if (!parsed_base.ok()) return parsed_base.status();
      m.base = *parsed_base;
      break;
    }
    default: return Status::InvalidArgument("chunk data: unknown encoding");
  }
  return m;
}

Result<ChunkAvailability> DecodeChunkAvailability(std::string_view bytes) {
  wire::ChunkAvailability p;
  EDGESYNC_RETURN_IF_ERROR(Parse(&p, bytes, "chunk availability"));
  auto key = ObjectKey::Parse(p.key());
  if (!key.ok()) return key.status().WithContext("chunk availability");
  const std::string& version = p.version_id();
  if (!IsVersionId(version))
    return Status::InvalidArgument("chunk availability: bad version id");
  if (p.held().size() > kMaxAvailabilityChunks / 8)
    return Status::InvalidArgument("chunk availability: bitmap of " + std::to_string(p.held().size()) +
                                   " bytes exceeds " + std::to_string(kMaxAvailabilityChunks / 8));
  return ChunkAvailability{p.key(), version, std::move(*p.mutable_held()), p.fetching_all()};
}

}  // namespace edgesync::replication
