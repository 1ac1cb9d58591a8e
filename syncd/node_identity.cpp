#include "syncd/node_identity.h"

#include <optional>

#include "transport/identity.h"

namespace edgesync {
namespace {

Result<std::string> ReadPem(const std::filesystem::path& path, const char* key) {
  Result<std::string> text = transport::ReadTextFile(path);
  if (!text.ok()) {
    return Status::InvalidArgument(std::string(key) + " " + path.string() + " is not readable: " +
                                   text.status().message());
  }
  return std::move(text).value();
}

}  // namespace

Result<NodeIdentity> LoadNodeIdentity(const ClusterFiles& files,
                                      const std::string& configured_cluster_id) {
  Result<std::string> ca = ReadPem(files.ca_cert, "cluster.ca_cert");
  if (!ca.ok()) return ca.status();
  Result<std::string> cert = ReadPem(files.cert, "cluster.cert");
  if (!cert.ok()) return cert.status();
  Result<std::string> key = ReadPem(files.key, "cluster.key");
  if (!key.ok()) return key.status();
  std::optional<std::string> crl;
  std::error_code ec;
  if (files.crl_required || std::filesystem::exists(files.crl, ec)) {
    Result<std::string> text = ReadPem(files.crl, "cluster.crl");
    if (!text.ok()) return text.status();
    crl = *text;
  }

  auto identity = transport::ReadCertifiedIdentity(*cert);
  if (!identity.ok()) {
    return Status::InvalidArgument("cluster.cert " + files.cert.string() +
                                   " is not a node certificate: " + identity.status().message());
  }
  Status verified = transport::VerifyNodeCertificate(*ca, *cert, crl);
  if (!verified.ok()) {
    return Status::InvalidArgument("cluster.cert " + files.cert.string() +
                                   " does not verify against cluster.ca_cert " +
                                   files.ca_cert.string() +
                                   (crl ? " and " + files.crl.string() : std::string()) + ": " +
                                   verified.message());
  }
  if (!configured_cluster_id.empty() && configured_cluster_id != identity->cluster_id) {
    return Status::InvalidArgument("cluster.id '" + configured_cluster_id +
                                   "' differs from the certificate's cluster '" +
                                   identity->cluster_id + "' (" + files.cert.string() + ")");
  }
  return NodeIdentity{identity->node_id, identity->role, identity->cluster_id};
}

Result<std::unique_ptr<Store>> OpenStoreBoundTo(StoreOptions options, const std::string& node_id) {
  std::error_code ec;
  bool fresh = !std::filesystem::exists(options.path / "CURRENT", ec);
  if (fresh) options.node_id = node_id;
  Result<std::unique_ptr<Store>> store = Store::Open(options);
  if (!store.ok() || node_id.empty() || (*store)->node_id() == node_id) return store;
  if ((*store)->LastSeq() != 0) {
    return Status::FailedPrecondition(
        "the store's node id " + (*store)->node_id() + " differs from the node certificate's " +
        node_id + " and the store already holds versions; issue a certificate for node id " +
        (*store)->node_id() + " (edgesync cluster join --node-id " + (*store)->node_id() + ")");
  }
  store->reset();  // nothing written under the old id yet: adopt the certificate's
  options.node_id = node_id;
  return Store::Open(options);
}

}  // namespace edgesync
