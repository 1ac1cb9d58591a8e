#include "replication/chunk_codec.h"

#include <zstd.h>

#include <memory>

namespace edgesync::replication {
namespace {

constexpr int kLevel = 3;
constexpr size_t kProbeBytes = 4096;

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// One compression and one decompression context per thread, reused.
ZSTD_CCtx* ThreadCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxFree> ctx(ZSTD_createCCtx());
  return ctx.get();
}
ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxFree> ctx(ZSTD_createDCtx());
  return ctx.get();
}

// Compressed bytes, or empty when compression failed.
std::string Compress(std::string_view data, const std::string* dict) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = dict ? ZSTD_compress_usingDict(ThreadCCtx(), out.data(), out.size(), data.data(), data.size(),
                                            dict->data(), dict->size(), kLevel)
                  : ZSTD_compressCCtx(ThreadCCtx(), out.data(), out.size(), data.data(), data.size(), 1);
  if (ZSTD_isError(n)) return {};
  out.resize(n);
  return out;
}

}  // namespace

void EncodeChunkPayload(std::string data, const std::string* base, const ChunkId* base_id,
                        ChunkData* reply, CompressionProbe* probe) {
  reply->encoding = ChunkEncoding::kRaw;
  if (base && base_id) {
    std::string delta = Compress(data, base);
    if (!delta.empty() && delta.size() < data.size()) {
      reply->data = std::move(delta);
      reply->encoding = ChunkEncoding::kZstdWithBase;
      reply->base = *base_id;
      return;
    }
  }
  if (probe && probe->incompressible_in_a_row >= CompressionProbe::kSkipAfter) {
    reply->data = std::move(data);
    return;
  }
  // Probe a prefix first: random-looking data (weights, JPEGs) stays raw at almost no cost.
  const std::string_view view(data);
  std::string prefix = Compress(view.substr(0, kProbeBytes), nullptr);
  if (!prefix.empty() && prefix.size() * 10 <= std::min(data.size(), kProbeBytes) * 9) {
    std::string packed = Compress(data, nullptr);
    if (!packed.empty() && packed.size() < data.size()) {
      reply->data = std::move(packed);
      reply->encoding = ChunkEncoding::kZstd;
      if (probe) probe->incompressible_in_a_row = 0;
      return;
    }
  }
  if (probe) ++probe->incompressible_in_a_row;
  reply->data = std::move(data);
}

Result<std::string_view> DecodeChunkPayload(const ChunkDataView& reply, const std::string* base, size_t max_size,
                                            std::string* decoded) {
  if (reply.encoding == ChunkEncoding::kRaw) {
    if (reply.data.size() > max_size) return Status::InvalidArgument("chunk larger than the limit");
    return reply.data;
  }
  unsigned long long size = ZSTD_getFrameContentSize(reply.data.data(), reply.data.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
    return Status::InvalidArgument("chunk payload is not a zstd frame with a known size");
  if (size > max_size) return Status::InvalidArgument("chunk would decode larger than the limit");
  if (reply.encoding == ChunkEncoding::kZstdWithBase && !base)
    return Status::FailedPrecondition("chunk encoded against a base we do not hold");
  std::string& out = *decoded;
  out.assign(size, '\0');
  size_t n = reply.encoding == ChunkEncoding::kZstdWithBase
                 ? ZSTD_decompress_usingDict(ThreadDCtx(), out.data(), out.size(), reply.data.data(),
                                             reply.data.size(), base->data(), base->size())
                 : ZSTD_decompressDCtx(ThreadDCtx(), out.data(), out.size(), reply.data.data(), reply.data.size());
  if (ZSTD_isError(n) || n != size)
    return Status::InvalidArgument(std::string("chunk payload does not decode: ") +
                                   (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short output"));
  return std::string_view(out);
}

}  // namespace edgesync::replication
