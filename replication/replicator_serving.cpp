// Serving a peer's manifest and chunk requests (and, through ServeBlocking, its changes
// requests): each runs as a blocking task, at most kServingPerPeer at once per peer, the rest
// in a bounded queue.
#include <algorithm>

#include "replication/replicator_impl.h"

namespace edgesync::replication {

Status Replicator::Impl::ServeManifest(const std::shared_ptr<Link>& link, const std::string& payload) {
  auto id = DecodeManifestRequest(payload);
  if (!id.ok()) return id.status();
  return ServeBlocking(link, payload.size(), [this, link, id = *id] {
    ManifestReply reply{id, false, {}};
    auto m = store_.ReadManifest(id);
    if (m.ok()) {
      reply.found = true;
      reply.manifest = m->Encode();
    }
    Send(link, Lane::kControl, kManifestReply, Encode(reply));
  });
}

Status Replicator::Impl::ServeChunks(const std::shared_ptr<Link>& link, const std::string& payload) {
  auto req = DecodeChunkRequest(payload);
  if (!req.ok()) return req.status();
  return ServeBlocking(link, payload.size(), [this, link, req = std::move(req).value()] {
    std::string base;
    CompressionProbe probe;
    for (size_t i = 0; i < req.ids.size(); ++i) {
      const ChunkId& id = req.ids[i];
      ChunkData reply{id, false, {}};
      std::string data;
      Status s = store_.chunks().Get(id, &data);
      reply.found = s.ok();
      if (s.ok()) {
        const std::optional<ChunkId> base_id = i < req.bases.size() ? req.bases[i] : std::nullopt;
        const bool have_base = base_id && store_.chunks().Get(*base_id, &base).ok();
        EncodeChunkPayload(std::move(data), have_base ? &base : nullptr, have_base ? &*base_id : nullptr,
                           &reply, &probe);
      } else if (!s.IsNotFound()) {
        Log(3, "serving chunk " + id.Hex() + ": " + s.ToString());
      }
      if (!Send(link, Lane::kBulk, kChunkData, Encode(std::move(reply)))) return;
    }
  });
}

Status Replicator::Impl::ServeBlocking(const std::shared_ptr<Link>& link, size_t bytes, std::function<void()> work) {
  const std::string node = link->peer().node_id;
  MutexLock lock(mu_);
  auto it = peers_.find(node);
  if (it == peers_.end() || it->second.link.lock() != link) return Status::Ok();  // a stale link
  Peer& p = it->second;
  if (p.serve_queue.size() >= kMaxQueuedRequests || p.serve_queued_bytes + bytes > kMaxQueuedRequestBytes)
    return Status::Aborted("too many requests in flight (" + std::to_string(p.serve_queue.size()) +
                           " queued, " + std::to_string(p.serve_queued_bytes) + " bytes)");
  p.serve_queue.emplace_back(std::move(work), bytes);
  p.serve_queued_bytes += bytes;
  PumpServing(node, p);
  return Status::Ok();
}

void Replicator::Impl::PumpServing(const std::string& node, Peer& p) {
  while (p.serving < kServingPerPeer && !p.serve_queue.empty()) {
    auto [work, bytes] = std::move(p.serve_queue.front());
    p.serve_queue.pop_front();
    p.serve_queued_bytes -= std::min(p.serve_queued_bytes, bytes);
    ++p.serving;
    RunBlocking([this, node, work = std::move(work)] {
      work();
      MutexLock lock(mu_);
      auto it = peers_.find(node);
      if (it == peers_.end()) return;
      if (it->second.serving > 0) --it->second.serving;  // 0: the peer reconnected meanwhile
      PumpServing(node, it->second);
    });
  }
}

}  // namespace edgesync::replication
