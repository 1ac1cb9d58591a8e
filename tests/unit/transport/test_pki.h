// TestPki: a throwaway cluster CA and node identities in a temp directory, for transport tests.
// Thread-safety: needs external synchronization.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "transport/identity.h"
#include "transport/transport_options.h"

namespace edgesync::transport::testing {

struct NodeFiles {
  std::filesystem::path ca_cert;
  std::filesystem::path cert;
  std::filesystem::path key;
  std::string cert_pem;
};

class TestPki {
 public:
  explicit TestPki(const std::string& cluster_id);
  ~TestPki();

  const ClusterCa& ca() const { return ca_; }
  const std::filesystem::path& dir() const { return dir_; }

  // Issues a key and certificate for node_id (valid for one hour unless told otherwise), with
  // `labels` certified in it.
  NodeFiles Issue(const std::string& node_id, const std::string& role = "edge",
                  CertificateValidity validity = {std::chrono::seconds(-60),
                                                  std::chrono::seconds(3600)},
                  const std::map<std::string, std::string>& labels = {});
  // Writes a CRL revoking the given certificates; returns its path.
  std::filesystem::path WriteCrl(const std::vector<std::string>& revoked_cert_pems);

 private:
  std::filesystem::path dir_;
  ClusterCa ca_;
  int issued_ = 0;
};

// TransportOptions for a TLS node on 127.0.0.1 with an ephemeral port and short timeouts.
TransportOptions LoopbackOptions(const NodeFiles& files, const std::string& cluster_id,
                                 const std::string& node_id);

}  // namespace edgesync::transport::testing
