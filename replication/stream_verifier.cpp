#include "replication/stream_verifier.h"

#include <utility>

namespace edgesync::replication {

StreamVerifier::StreamVerifier(ChunkStore& chunks, std::vector<FileEntry> files,
                               std::unordered_set<ChunkId, ChunkIdHash> fetched, size_t max_held_bytes)
    : chunks_(chunks), entries_(std::move(files)), fetched_(std::move(fetched)), max_held_bytes_(max_held_bytes) {
  for (const auto& entry : entries_) {
    files_.push_back(FileState{&entry});
    for (const auto& c : entry.chunks) ++uses_left_[c.id];
  }
}

void StreamVerifier::Start() {
  MutexLock lock(mu_);
  for (size_t i = 0; i < files_.size(); ++i) Advance(i);
}

void StreamVerifier::Offer(const ChunkId& id, std::string_view bytes) {
  MutexLock lock(mu_);
  if (!arrived_.insert(id).second) return;  // a duplicate delivery: the first one counted
  std::vector<size_t> waiters;
  if (auto node = waiting_.extract(id); !node.empty()) waiters = std::move(node.mapped());
  // Kept when a frontier will need it later: it arrived early, or its content repeats.
  auto uses = uses_left_.find(id);
  if (uses != uses_left_.end() && uses->second > waiters.size() &&
      held_bytes_ + bytes.size() <= max_held_bytes_) {
    held_bytes_ += bytes.size();
    held_.emplace(id, std::string(bytes));
  }
  for (size_t file : waiters) {
    FileState& f = files_[file];
    Hash(f, bytes);
    Release(id);
    ++f.next;
    Advance(file);
  }
}

void StreamVerifier::Resume() {
  MutexLock lock(mu_);
  for (auto stalled = std::exchange(stalled_, {}); size_t file : stalled) Advance(file);
}

std::set<std::string> StreamVerifier::VerifiedPaths() {
  MutexLock lock(mu_);
  std::set<std::string> out;
  for (const auto& f : files_)
    if (f.verified) out.insert(f.entry->path);
  return out;
}

void StreamVerifier::Advance(size_t file) {
  FileState& f = files_[file];
  std::string bytes;
  while (!f.finished) {
    const auto& chunks = f.entry->chunks;
    if (f.next == chunks.size()) {
      f.finished = true;
      f.verified = f.hashed == f.entry->size && f.sha->FinishHex() == f.entry->sha256;
      return;
    }
    const ChunkId& id = chunks[f.next].id;
    if (auto held = held_.find(id); held != held_.end()) {
      Hash(f, held->second);
    } else if (fetched_.count(id) == 0) {
      if (!chunks_.Get(id, &bytes).ok()) {
        f.finished = true;  // the store's own check reports it
        return;
      }
      Hash(f, bytes);
    } else if (arrived_.count(id)) {
      // Arrived early and was not kept: read back once its batch is written (Resume).
      if (!chunks_.Get(id, &bytes).ok()) {
        stalled_.insert(file);
        return;
      }
      Hash(f, bytes);
    } else {
      waiting_[id].push_back(file);
      return;
    }
    Release(id);
    ++f.next;
  }
}

void StreamVerifier::Hash(FileState& f, std::string_view bytes) {
  f.sha->Update(bytes.data(), bytes.size());
  f.hashed += bytes.size();
}

void StreamVerifier::Release(const ChunkId& id) {
  auto uses = uses_left_.find(id);
  if (uses == uses_left_.end() || --uses->second > 0) return;
  if (auto held = held_.find(id); held != held_.end()) {
    held_bytes_ -= held->second.size();
    held_.erase(held);
  }
}

}  // namespace edgesync::replication
