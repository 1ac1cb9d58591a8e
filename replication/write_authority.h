// WriteAuthority: enforces the write ACL (meta/acl) on this node.
//
// Local writes: `SealLocal` (installed as StoreOptions::seal_local_version) refuses a version
// this node's certificate role may not author, and signs the ones it may (version_attestation.h)
// while an ACL is in force, and meta/acl always.
// Received versions: `AdmitRemote` (ReplicatorOptions::admit_version) decides by the author's
// role, read from the version's attestation and checked against the cluster CA; a version
// without one (written before signing, or a conflict resolution, which every node computes
// itself) is vouched for by the peer that sent it, so it counts with that peer's role from its
// mTLS certificate: never more than the sender could write itself. A version whose
// attestation does not verify is refused outright. The ACL is re-read whenever meta/acl
// commits (locally or from a peer).
// Thread-safety: safe for concurrent use once Attach has run.
#pragma once

#include <functional>
#include <string>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "replication/version_attestation.h"
#include "replication/write_acl.h"
#include "store/store.h"

namespace edgesync::replication {

struct WriteAuthorityOptions {
  std::string role;      // this node's certificate role
  std::string node_id;   // and node id (node-owned documents: write_acl.h)
  std::string ca_pem;    // cluster CA: checks authors' certificates
  std::string cert_pem;  // this node's certificate and key: sign local versions
  std::string key_pem;   // (all three empty: no signing, received attestations refused)
  // level: syslog numbers (3 error, 4 warning, 5 notice, 6 info).
  std::function<void(int level, const std::string& message)> log;
};

class WriteAuthority {
 public:
  explicit WriteAuthority(WriteAuthorityOptions options);

  // Loads meta/acl from `store` and follows its changes; logs the ACL in force (loudly when
  // there is none). Call once, before any write. `store` must outlive this object.
  void Attach(Store& store);

  Result<std::string> SealLocal(const ObjectKey& key, const VersionRecord& record);
  // The local check alone, for refusing a put before its files are read.
  Status CheckLocal(const std::string& key) const;
  Status AdmitRemote(const std::string& key, const VersionRecord& record, const std::string& sender_role);

  WriteAcl acl() const;

  // A renewed certificate and key of this node (same node id and role): versions written from
  // now on are signed with them (credential reload, syncd/credentials/).
  void UpdateSigningIdentity(std::string cert_pem, std::string key_pem);

 private:
  void Reload(Store& store);

  WriteAuthorityOptions options_;
  AttestationVerifier verifier_;
  mutable Mutex mu_;
  WriteAcl acl_ GUARDED_BY(mu_) = WriteAcl::AllowAll();
  std::string cert_pem_ GUARDED_BY(mu_);  // signing identity, from options, then reloads
  std::string key_pem_ GUARDED_BY(mu_);
};

}  // namespace edgesync::replication
