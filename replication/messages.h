// Replication messages as plain structs, and their validated wire encoding.
//
// Decoding never trusts the peer: keys and vectors are validated, counts and sizes bounded,
// so a malformed or hostile message becomes a Status naming what was wrong.
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "limits/priority_class.h"
#include "store/chunk_id.h"
#include "base/status.h"
#include "store/version_record.h"

namespace edgesync::replication {

inline constexpr size_t kMaxChangesPerBatch = 256;
inline constexpr size_t kMaxHeadsPerKey = 64;
inline constexpr size_t kMaxVectorEntries = 1024;
inline constexpr size_t kMaxChunksPerRequest = 1024;
inline constexpr size_t kMaxSubscriptions = 256;
// A ChunkAvailability bitmap covers at most this many chunks (64 KiB of bits; 32 GiB of 64 KiB
// chunks). A manifest with more chunks is fetched without advertising partial holdings.
inline constexpr size_t kMaxAvailabilityChunks = 512 * 1024;

struct KeyHeads {
  std::string key;
  std::vector<VersionRecord> heads;
};

struct ChangesRequest {
  uint64_t since = 0;
  uint32_t limit = 0;
  std::vector<std::string> subscriptions;  // empty: everything
};

// The sender purged deleted keys the receiver had not read of: see Store::PurgeKeys.
struct PurgeNotice {
  uint64_t horizon_ms = 0;          // every purged key's heads were older than this
  uint64_t your_log_read_upto = 0;  // the sender's checkpoint in the receiver's log
};

struct ChangesBatch {
  std::vector<KeyHeads> changes;
  uint64_t upto = 0;
  bool more = false;
  uint64_t latest = 0;
  std::optional<PurgeNotice> purge;
};

// Which version a request is for: the key and version id it names (both empty from peers older
// than read rules). Read rules decide by them (replication/read_acl.h).
struct RequestedVersion {
  std::string key;
  std::string version_id;
};

struct ManifestRequest {
  ChunkId manifest_id;
  RequestedVersion version;
};

struct ManifestReply {
  ChunkId manifest_id;
  bool found = false;
  std::string manifest;
};

struct ChunkRequest {
  std::vector<ChunkId> ids;
  std::vector<std::optional<ChunkId>> bases;  // empty, or one entry per id
  limits::PriorityClass priority = limits::PriorityClass::kNormal;
  RequestedVersion version;
};

// What a node fetching a version holds of it: bits over the manifest's distinct chunks.
struct ChunkAvailability {
  std::string key;
  std::string version_id;
  std::string held;  // bit i at byte i / 8, least significant first
  bool fetching_all = false;
};

enum class ChunkEncoding { kRaw = 0, kZstd = 1, kZstdWithBase = 2 };

struct ChunkData {
  ChunkId id;
  bool found = false;
  std::string data;  // encoded per `encoding`
  ChunkEncoding encoding = ChunkEncoding::kRaw;
  ChunkId base{};    // kZstdWithBase only
};

// A received ChunkData, decoded without copying its payload: `data` views the message bytes,
// which must outlive it.
struct ChunkDataView {
  ChunkId id;
  bool found = false;
  std::string_view data;  // encoded per `encoding`
  ChunkEncoding encoding = ChunkEncoding::kRaw;
  ChunkId base{};  // kZstdWithBase only
};

std::string Encode(const ChangesRequest& m);
std::string Encode(const ChangesBatch& m);
std::string EncodePoke(uint64_t seq);
std::string Encode(const ManifestRequest& m);
std::string Encode(const ManifestReply& m);
std::string Encode(const ChunkRequest& m);
std::string Encode(ChunkData&& m);  // moves the chunk bytes into the message
std::string Encode(const ChunkAvailability& m);

Result<ChangesRequest> DecodeChangesRequest(std::string_view bytes);
Result<ChangesBatch> DecodeChangesBatch(std::string_view bytes);
Result<uint64_t> DecodePoke(std::string_view bytes);
Result<ManifestRequest> DecodeManifestRequest(std::string_view bytes);
Result<ManifestReply> DecodeManifestReply(std::string_view bytes);
Result<ChunkRequest> DecodeChunkRequest(std::string_view bytes);
Result<ChunkDataView> DecodeChunkData(std::string_view bytes);
// Checks the key and version id and bounds the bitmap (kMaxAvailabilityChunks); the receiver
// checks its length against the manifest it fetches.
Result<ChunkAvailability> DecodeChunkAvailability(std::string_view bytes);

}  // namespace edgesync::replication
