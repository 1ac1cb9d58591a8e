// VersionRecord: one version of one object, as stored and as replicated.
//
// The version id is derived from the key, the vector and the content (manifest id or delete),
// so every node computes the same id for the same version, two keys' first writes never share
// an id, and two different versions that carry the same vector (a store restored from an old
// copy that reused counters) never pass for one. Plain value type.
#pragma once

#include <string>

#include "store/chunk_id.h"
#include "store/hlc.h"
#include "base/status.h"
#include "store/version_vector.h"

namespace edgesync {

struct VersionRecord {
  VersionVector vector;
  HlcStamp hlc = 0;
  std::string author;     // node id that wrote it (or a fixed marker for resolved versions)
  ChunkId manifest_id{};  // meaningless for tombstones
  bool tombstone = false;
  // Opaque proof of authorship written by the author's node (replication's attestation: its
  // certificate and signature). Not part of the id; empty when the author did not sign.
  std::string attestation;

  // 16 lowercase hex digits of XXH3-128(key, vector text, manifest id or delete); stable
  // across nodes.
  std::string Id(std::string_view key) const;
  // Same vector, other content: the identity clash a reused counter produces.
  bool SameContent(const VersionRecord& other) const {
    return tombstone == other.tombstone && (tombstone || manifest_id == other.manifest_id);
  }

  // JSON; "attestation" appears only when set, so unsigned records keep their old bytes.
  std::string Encode() const;
  static Result<VersionRecord> Decode(std::string_view bytes);

  bool operator==(const VersionRecord&) const = default;
};

}  // namespace edgesync
