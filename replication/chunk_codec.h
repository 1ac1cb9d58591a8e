// Chunk encodings on the wire: raw, zstd, or zstd with a base chunk as dictionary.
//
// A receiver that asks for chunk X names the chunk of its own copy of the file that shares the
// most bytes with X's range (the base); a small edit inside X then costs about the edited
// bytes, not a whole chunk.
// The sender picks the smallest of the three; incompressible data goes raw after a cheap probe.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "replication/messages.h"
#include "base/status.h"

namespace edgesync::replication {

// What the compressibility probe found over the chunks of one request: one file's chunks tend
// to be alike, so after kSkipAfter incompressible ones in a row (weights, JPEGs) the rest of the
// request goes raw without probing. Not thread-safe: one per request.
struct CompressionProbe {
  static constexpr int kSkipAfter = 8;
  int incompressible_in_a_row = 0;
};

// Encodes `data` (with `base` when non-null) into reply.data / reply.encoding / reply.base.
// Raw data is moved, not copied. `probe` (may be null: always probe) carries what earlier
// chunks of the same request showed.
void EncodeChunkPayload(std::string data, const std::string* base, const ChunkId* base_id,
                        ChunkData* reply, CompressionProbe* probe = nullptr);

// Decodes a reply's payload: a raw payload is returned as it is (a view of the reply's bytes),
// a compressed one is decompressed into `*decoded` and a view of that is returned. `base` must
// be the bytes of reply.base for kZstdWithBase. Refuses payloads that would decode to more than
// `max_size` bytes.
Result<std::string_view> DecodeChunkPayload(const ChunkDataView& reply, const std::string* base, size_t max_size,
                                            std::string* decoded);

}  // namespace edgesync::replication
