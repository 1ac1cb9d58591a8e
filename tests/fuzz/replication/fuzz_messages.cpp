// Feeds arbitrary bytes to every replication message decoder, as a hostile peer's payload would
// arrive on any message type. A message that decodes must encode and decode back to the same
// values. A manifest reply goes on as the replicator handles it (manifest decode, id check), and
// chunk data through the payload decoder (zstd, with and without a base) under a size limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "replication/chunk_codec.h"
#include "replication/messages.h"
#include "replication/messages.pb.h"
#include "store/manifest.h"

namespace {

namespace repl = edgesync::replication;

void Check(bool condition) {
  if (!condition) std::abort();
}

constexpr std::size_t kMaxChunkSize = 1u << 20;

void CheckChangesBatch(std::string_view bytes) {
  auto batch = repl::DecodeChangesBatch(bytes);
  if (!batch.ok()) return;
  auto again = repl::DecodeChangesBatch(repl::Encode(*batch));
  Check(again.ok() && again->upto == batch->upto && again->more == batch->more &&
        again->latest == batch->latest && again->changes.size() == batch->changes.size());
  for (std::size_t i = 0; i < batch->changes.size(); ++i) {
    Check(again->changes[i].key == batch->changes[i].key &&
          again->changes[i].heads == batch->changes[i].heads);
  }
}

void CheckManifestReply(std::string_view bytes) {
  auto reply = repl::DecodeManifestReply(bytes);
  if (!reply.ok()) return;
  auto again = repl::DecodeManifestReply(repl::Encode(*reply));
  Check(again.ok() && again->manifest_id == reply->manifest_id && again->found == reply->found &&
        again->manifest == reply->manifest);
  if (!reply->found) return;
  auto manifest = edgesync::Manifest::Decode(reply->manifest);
  if (manifest.ok()) (void)(edgesync::ManifestId(manifest->Encode()) == reply->manifest_id);
}

void CheckChunkData(std::string_view bytes) {
  auto chunk = repl::DecodeChunkData(bytes);
  // The hand-walked decoder accepts exactly what protobuf's parser accepts.
  repl::wire::ChunkData parsed;
  const bool protobuf_ok = parsed.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  if (!protobuf_ok) Check(!chunk.ok());
  if (!chunk.ok()) return;
  Check(parsed.data() == chunk->data && parsed.found() == chunk->found);
  const repl::ChunkData copy{chunk->id, chunk->found, std::string(chunk->data), chunk->encoding, chunk->base};
  const std::string encoded = repl::Encode(repl::ChunkData(copy));
  auto again = repl::DecodeChunkData(encoded);
  Check(again.ok() && again->id == copy.id && again->found == copy.found &&
        again->data == copy.data && again->encoding == copy.encoding &&
        (copy.encoding != repl::ChunkEncoding::kZstdWithBase || again->base == copy.base));
  // The base a receiver would name: some bytes of its own copy of the file.
  static const std::string base(4096, 'b');
  std::string decoded;
  auto payload = repl::DecodeChunkPayload(*chunk, &base, kMaxChunkSize, &decoded);
  if (payload.ok()) Check(payload->size() <= kMaxChunkSize);
}

// The sender's side: any chunk, encoded against any base, decodes back to itself.
void CheckChunkPayloadRoundTrip(std::string_view bytes) {
  const std::size_t half = bytes.size() / 2;
  const std::string base(bytes.substr(0, half));
  const std::string chunk(bytes.substr(half));
  const edgesync::ChunkId base_id = edgesync::ChunkId::Of(base.data(), base.size());
  repl::ChunkData reply;
  repl::EncodeChunkPayload(chunk, &base, &base_id, &reply);
  const repl::ChunkDataView view{reply.id, reply.found, reply.data, reply.encoding, reply.base};
  std::string scratch;
  auto decoded = repl::DecodeChunkPayload(view, &base, kMaxChunkSize, &scratch);
  Check(decoded.ok() && *decoded == chunk);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto request = repl::DecodeChangesRequest(bytes); request.ok()) {
    auto again = repl::DecodeChangesRequest(repl::Encode(*request));
    Check(again.ok() && again->since == request->since && again->limit == request->limit &&
          again->subscriptions == request->subscriptions);
  }
  CheckChangesBatch(bytes);
  if (auto seq = repl::DecodePoke(bytes); seq.ok()) {
    auto again = repl::DecodePoke(repl::EncodePoke(*seq));
    Check(again.ok() && *again == *seq);
  }
  if (auto request = repl::DecodeManifestRequest(bytes); request.ok()) {
    auto again = repl::DecodeManifestRequest(repl::Encode(*request));
    Check(again.ok() && again->manifest_id == request->manifest_id && again->version.key == request->version.key &&
          again->version.version_id == request->version.version_id);
  }
  CheckManifestReply(bytes);
  if (auto request = repl::DecodeChunkRequest(bytes); request.ok()) {
    auto again = repl::DecodeChunkRequest(repl::Encode(*request));
    Check(again.ok() && again->ids == request->ids && again->bases == request->bases &&
          again->version.key == request->version.key && again->version.version_id == request->version.version_id);
  }
  CheckChunkData(bytes);
  if (auto availability = repl::DecodeChunkAvailability(bytes); availability.ok()) {
    Check(availability->held.size() <= repl::kMaxAvailabilityChunks / 8);
    auto again = repl::DecodeChunkAvailability(repl::Encode(*availability));
    Check(again.ok() && again->key == availability->key && again->version_id == availability->version_id &&
          again->held == availability->held && again->fetching_all == availability->fetching_all);
  }
  CheckChunkPayloadRoundTrip(bytes);
  return 0;
}
