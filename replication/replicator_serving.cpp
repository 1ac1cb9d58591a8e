// Serving a peer's manifest and chunk requests (and, through ServeBlocking, its changes
// requests): each runs as a blocking task, at most kServingPerPeer at once per peer, the rest
// in a bounded queue per priority class (a chunk request names its class; urgent ones are
// served before the bulk requests queued ahead of them). Under a sending limit a chunk request is
// served only while the link's bulk queue is short (a tenth of a second's worth): the rest of it
// waits at the front of its class, so an urgent request overtakes it at chunk granularity.
// Under read rules, what a peer may not read is answered "not found" (replicator_read_rules.cpp).
#include <algorithm>

#include "replication/replicator_impl.h"

namespace edgesync::replication {

Status Replicator::Impl::ServeManifest(const std::shared_ptr<Link>& link, const std::string& payload) {
  auto request = DecodeManifestRequest(payload);
  if (!request.ok()) return request.status();
  return ServeBlocking(link, payload.size(), limits::PriorityClass::kUrgent, [this, link, request = *request] {
    ManifestReply reply{request.manifest_id, false, {}};
    // Refused or not held: the same "not found" either way.
    auto m = MayServeManifest(link->peer(), request).ok() ? store_.ReadManifest(request.manifest_id)
                                                          : Result<Manifest>(Status::NotFound(""));
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
  const limits::PriorityClass cls = req->priority;
  return ServeBlocking(link, payload.size(), cls, [this, link, req = std::make_shared<ChunkRequest>(std::move(req).value())] {
    for (const ChunkId& id : WithholdUnreadable(link->peer(), *req))
      if (!Send(link, Lane::kBulk, kChunkData, Encode(ChunkData{id, false, {}}))) return;
    ServeChunkRange(link, req, 0);
  });
}

void Replicator::Impl::ServeChunkRange(const std::shared_ptr<Link>& link, const std::shared_ptr<ChunkRequest>& req,
                                       size_t next) {
  const uint64_t ahead = SendAhead(*link);
  std::string base;
  // Per stretch served: a request resumed after a pause (ParkServing) probes afresh.
  CompressionProbe probe;
  for (size_t i = next; i < req->ids.size(); ++i) {
    if (link->queued_bytes(Lane::kBulk) > ahead) {
      ParkServing(link, req, i);
      return;
    }
    const ChunkId& id = req->ids[i];
    ChunkData reply{id, false, {}};
    std::string data;
    Status s = store_.chunks().Get(id, &data);
    reply.found = s.ok();
    if (s.ok()) {
      const std::optional<ChunkId> base_id = i < req->bases.size() ? req->bases[i] : std::nullopt;
      const bool have_base = base_id && store_.chunks().Get(*base_id, &base).ok();
      EncodeChunkPayload(std::move(data), have_base ? &base : nullptr, have_base ? &*base_id : nullptr,
                         &reply, &probe);
    } else if (!s.IsNotFound()) {
      Log(3, "serving chunk " + id.Hex() + ": " + s.ToString());
    }
    if (!Send(link, Lane::kBulk, kChunkData, Encode(std::move(reply)))) return;
  }
}

uint64_t Replicator::Impl::SendAhead(const Link& link) {
  if (!options_.bandwidth || !options_.run_after) return UINT64_MAX;
  const transport::PeerInfo& info = link.peer();
  const limits::Rate rate = options_.bandwidth->RateFor(limits::Direction::kSend, {info.node_id, info.labels, info.role});
  if (rate.unlimited()) return UINT64_MAX;
  return std::max<uint64_t>(rate.bytes_per_second / 10, 256u << 10);
}

void Replicator::Impl::ParkServing(const std::shared_ptr<Link>& link, const std::shared_ptr<ChunkRequest>& req,
                                   size_t next) {
  const std::string node = link->peer().node_id;
  const limits::PriorityClass cls = req->priority;
  // Roughly when the queue is down to half of what may wait in it.
  const transport::PeerInfo& info = link->peer();
  const limits::Rate rate = options_.bandwidth->RateFor(limits::Direction::kSend, {node, info.labels, info.role});
  const uint64_t ahead = SendAhead(*link), queued = link->queued_bytes(Lane::kBulk);
  const double seconds = rate.unlimited() || queued <= ahead / 2
                             ? 0.0
                             : static_cast<double>(queued - ahead / 2) / static_cast<double>(rate.bytes_per_second);
  const auto delay = std::clamp(std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)),
                                std::chrono::milliseconds(5), std::chrono::milliseconds(250));
  MutexLock lock(mu_);
  auto it = peers_.find(node);
  if (it == peers_.end() || it->second.link.lock() != link) return;  // the link went away
  Peer& p = it->second;
  // First in its class again: it is older than what arrived meanwhile.
  p.serve_queue[static_cast<size_t>(cls)].push_front({[this, link, req, next] { ServeChunkRange(link, req, next); }, 0});
  ++p.serve_queued;
  if (std::exchange(p.serve_paused, true)) return;
  options_.run_after(delay, [weak = weak_from_this(), node] {
    auto self = weak.lock();
    if (!self) return;
    MutexLock lock(self->mu_);
    auto it = self->peers_.find(node);
    if (it == self->peers_.end()) return;
    it->second.serve_paused = false;
    self->PumpServing(node, it->second);
  });
}

Status Replicator::Impl::ServeBlocking(const std::shared_ptr<Link>& link, size_t bytes, limits::PriorityClass cls,
                                       std::function<void()> work) {
  const std::string node = link->peer().node_id;
  MutexLock lock(mu_);
  auto it = peers_.find(node);
  if (it == peers_.end() || it->second.link.lock() != link) return Status::Ok();  // a stale link
  Peer& p = it->second;
  if (p.serve_queued >= kMaxQueuedRequests || p.serve_queued_bytes + bytes > kMaxQueuedRequestBytes)
    return Status::Aborted("too many requests in flight (" + std::to_string(p.serve_queued) +
                           " queued, " + std::to_string(p.serve_queued_bytes) + " bytes)");
  p.serve_queue[static_cast<size_t>(cls)].push_back({std::move(work), bytes});
  ++p.serve_queued;
  p.serve_queued_bytes += bytes;
  PumpServing(node, p);
  return Status::Ok();
}

void Replicator::Impl::PumpServing(const std::string& node, Peer& p) {
  while (!p.serve_paused && p.serving < kServingPerPeer && p.serve_queued > 0) {
    auto queue = std::find_if(p.serve_queue.begin(), p.serve_queue.end(), [](const auto& q) { return !q.empty(); });
    auto [work, bytes] = std::move(queue->front());
    queue->pop_front();
    --p.serve_queued;
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
