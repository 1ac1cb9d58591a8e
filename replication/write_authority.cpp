#include "replication/write_authority.h"

#include "replication/acl_document.h"

namespace edgesync::replication {

WriteAuthority::WriteAuthority(WriteAuthorityOptions options)
    : options_(std::move(options)), verifier_(options_.ca_pem) {
  MutexLock lock(mu_);
  cert_pem_ = options_.cert_pem;
  key_pem_ = options_.key_pem;
}

void WriteAuthority::UpdateSigningIdentity(std::string cert_pem, std::string key_pem) {
  MutexLock lock(mu_);
  cert_pem_ = std::move(cert_pem);
  key_pem_ = std::move(key_pem);
}

void WriteAuthority::Attach(Store& store) {
  Reload(store);
  store.AddChangeListener([this, &store](const Change& change) {
    if (change.key == kWriteAclKey) Reload(store);
  });
}

void WriteAuthority::Reload(Store& store) {
  const WriteAcl acl =
      LoadAcl(store, WriteAcl::AllowAll(), [](std::string reason) { return WriteAcl::AdminOnly(std::move(reason)); });
  {
    MutexLock lock(mu_);
    acl_ = acl;
  }
  if (!options_.log) return;
  if (!acl.enforced())
    options_.log(4, "WRITE ACL NOT ENFORCED: no " + std::string(kWriteAclKey) +
                        " document, so any node of the cluster may write any key; an admin installs one "
                        "with `edgesync meta set " + kWriteAclKey + " rules='[...]'` (see docs/security.md)");
  else
    options_.log(acl.admin_only() ? 3 : 5, "write ACL in force: " + acl.Describe());
}

WriteAcl WriteAuthority::acl() const {
  MutexLock lock(mu_);
  return acl_;
}

Status WriteAuthority::CheckLocal(const std::string& key) const {
  return acl().CheckWriter(options_.role, options_.node_id, key);
}

Result<std::string> WriteAuthority::SealLocal(const ObjectKey& key, const VersionRecord& record) {
  const WriteAcl acl = this->acl();
  EDGESYNC_RETURN_IF_ERROR(acl.CheckWriter(options_.role, options_.node_id, key.str()));
  // Without an ACL nobody checks authorship, so versions stay unsigned (about 0.8 KiB less per
  // version); meta/acl itself is always signed, as every node checks its author.
  if (!acl.enforced() && key.str() != kWriteAclKey) return std::string();
  std::string cert_pem, key_pem;
  {
    MutexLock lock(mu_);
    cert_pem = cert_pem_;
    key_pem = key_pem_;
  }
  if (cert_pem.empty() || key_pem.empty()) return std::string();
  return SealVersion(key.str(), record, cert_pem, key_pem);
}

Status WriteAuthority::AdmitRemote(const std::string& key, const VersionRecord& record,
                                   const std::string& sender_role) {
  const WriteAcl acl = this->acl();
  // Open ACL and an ordinary key: nothing to decide (and nothing to verify).
  if (!acl.enforced() && key != kWriteAclKey) return Status::Ok();
  std::string role = sender_role;
  std::string node_id;  // only from a verified attestation: a sender cannot vouch for another node
  std::string basis = "vouched for by the sending peer";
  if (options_.ca_pem.empty() && !record.attestation.empty())
    return Status::PermissionDenied("version of " + key + " by " + record.author + " is signed, but this node has no CA to check it");
  auto author = options_.ca_pem.empty() ? Result<transport::CertifiedIdentity>(Status::NotFound(""))
                                        : verifier_.Author(key, record);
  if (author.ok()) {
    role = author->role;
    node_id = author->node_id;
    basis = "signed by its author";
  } else if (!author.status().IsNotFound()) {
    return Status::PermissionDenied("version " + record.Id(key) + " of " + key + " claims author " + record.author +
                                    " but its attestation is invalid: " + author.status().message());
  }
  Status s = acl.CheckWriter(role, node_id, key);
  if (!s.ok())
    return Status::PermissionDenied("version " + record.Id(key) + " of " + key + " by " + record.author + " (" +
                                    basis + "): " + s.message());
  return Status::Ok();
}

}  // namespace edgesync::replication
