#include "replication/read_authority.h"

#include <utility>

#include "replication/acl_document.h"
#include "replication/write_acl.h"

namespace edgesync::replication {

const char* ReadRefusalName(ReadRefusal kind) {
  switch (kind) {
    case ReadRefusal::kChanges: return "changes";
    case ReadRefusal::kManifest: return "manifest";
    case ReadRefusal::kChunk: return "chunk";
  }
  return "unknown";
}

ReadAuthority::ReadAuthority(ReadAuthorityOptions options) : options_(std::move(options)) {}

void ReadAuthority::Attach(Store& store) {
  Reload(store, true);
  store.AddChangeListener([this, &store](const Change& change) {
    if (change.key == kWriteAclKey) Reload(store, false);
  });
}

void ReadAuthority::Reload(Store& store, bool first) {
  auto shared = std::make_shared<const ReadAcl>(
      LoadAcl(store, ReadAcl::Open(), [](std::string reason) { return ReadAcl::Closed(std::move(reason)); }));
  bool changed;
  {
    MutexLock lock(mu_);
    changed = !(*acl_ == *shared);
    acl_ = shared;
  }
  if ((!first && !changed) || !options_.log) return;
  if (!shared->enforced())
    options_.log(4, "READ ACL NOT ENFORCED: no read rule in " + std::string(kWriteAclKey) +
                        ", so every node of the cluster may read every key; an admin adds "
                        "{\"allow\": \"read\", ...} rules to it (see docs/security.md)");
  else
    options_.log(5, "read ACL in force: " + shared->Describe());
}

std::shared_ptr<const ReadAcl> ReadAuthority::acl() const {
  MutexLock lock(mu_);
  return acl_;
}

CertifiedReader ReadAuthority::ReaderOf(const transport::PeerInfo& peer) {
  return {peer.node_id, peer.role, peer.certified_labels};
}

Status ReadAuthority::Check(const transport::PeerInfo& peer, const std::string& key) const {
  return acl()->Check(ReaderOf(peer), key);
}

void ReadAuthority::Count(ReadRefusal kind, uint64_t count) const {
  if (options_.on_refused) options_.on_refused(kind, count);
}

void ReadAuthority::Refused(ReadRefusal kind, const std::string& peer, const std::string& key, uint64_t count,
                            const std::string& why) {
  Count(kind, count);
  if (!options_.log) return;
  const auto now = std::chrono::steady_clock::now();
  uint64_t unlogged = 0;
  {
    MutexLock lock(mu_);
    if (now - window_start_ >= std::chrono::minutes(1)) {
      unlogged = std::exchange(unlogged_, 0);
      window_start_ = now;
      window_lines_ = 0;
    }
    if (window_lines_ >= kRefusalLinesPerMinute) {
      unlogged_ += count;
      return;
    }
    ++window_lines_;
  }
  if (unlogged > 0)
    options_.log(4, std::to_string(unlogged) + " more read refusal(s) in the last minute were not logged");
  options_.log(4, "read refused (" + std::string(ReadRefusalName(kind)) + ", " + std::to_string(count) +
                      ") to peer " + peer + ": " + key + ": " + why);
}

}  // namespace edgesync::replication
