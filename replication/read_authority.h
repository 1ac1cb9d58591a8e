// ReadAuthority: enforces the read rules of meta/acl (read_acl.h) on this node's serving side.
//
// It holds the live ReadAcl, read again whenever meta/acl commits here (locally or from a peer),
// so a rule change applies to the next request served. The Replicator asks it before anything
// leaves this node for a peer: the keys of a changes batch, a manifest, chunks, and the chunk
// availability of a version being fetched. The peer is judged by its certificate (role and
// certified labels, transport::PeerInfo), never by its Hello. Refusals are counted
// (`on_refused`: the edgesync_read_refusals_total metric) and logged with the peer and the key,
// at most kRefusalLinesPerMinute lines a minute, so a hostile peer cannot flood the log.
// Thread-safety: safe for concurrent use once Attach has run. Its mutex is innermost: callers
// may hold theirs (the Replicator's `mu_`), and it is never held while calling out (log,
// on_refused).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "replication/read_acl.h"
#include "store/store.h"
#include "transport/link.h"

namespace edgesync::replication {

// What was refused: keys left out of a changes batch, a manifest, or chunks.
enum class ReadRefusal { kChanges, kManifest, kChunk };
// "changes", "manifest", "chunk" (the metric's `kind` label).
const char* ReadRefusalName(ReadRefusal kind);

inline constexpr size_t kRefusalLinesPerMinute = 20;

struct ReadAuthorityOptions {
  // level: syslog numbers (3 error, 4 warning, 5 notice, 6 info).
  std::function<void(int level, const std::string& message)> log;
  // Optional: `count` more refusals of `kind` (a batch leaving out three keys counts three).
  std::function<void(ReadRefusal kind, uint64_t count)> on_refused;
};

class ReadAuthority {
 public:
  explicit ReadAuthority(ReadAuthorityOptions options);

  // Loads meta/acl from `store` and follows its changes; logs the read ACL in force (loudly
  // when there is none). Call once, before serving any peer. `store` must outlive this object.
  void Attach(Store& store);

  // The rules in force now; cheap (shared, immutable).
  std::shared_ptr<const ReadAcl> acl() const;
  // The peer as its certificate names it.
  static CertifiedReader ReaderOf(const transport::PeerInfo& peer);
  // May `peer` read `key` under the rules in force now?
  Status Check(const transport::PeerInfo& peer, const std::string& key) const;

  // Counts `count` refusals of `kind`, silently.
  void Count(ReadRefusal kind, uint64_t count) const;
  // Counts `count` refusals of `kind` and logs one line for them (rate limited).
  void Refused(ReadRefusal kind, const std::string& peer, const std::string& key, uint64_t count,
               const std::string& why);

 private:
  // Reads meta/acl again; logs the rules in force at the first load and whenever they change.
  void Reload(Store& store, bool first);

  const ReadAuthorityOptions options_;
  mutable Mutex mu_;
  std::shared_ptr<const ReadAcl> acl_ GUARDED_BY(mu_) = std::make_shared<const ReadAcl>(ReadAcl::Open());
  // The refusal log's window: lines written in it, and refusals left unlogged.
  std::chrono::steady_clock::time_point window_start_ GUARDED_BY(mu_){};
  size_t window_lines_ GUARDED_BY(mu_) = 0;
  uint64_t unlogged_ GUARDED_BY(mu_) = 0;
};

}  // namespace edgesync::replication
