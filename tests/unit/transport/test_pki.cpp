#include "tests/unit/transport/test_pki.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace edgesync::transport::testing {

TestPki::TestPki(const std::string& cluster_id) {
  std::string pattern = (std::filesystem::temp_directory_path() / "transport-pki-XXXXXX").string();
  dir_ = ::mkdtemp(pattern.data());
  auto ca = CreateClusterCa(cluster_id);
  EXPECT_TRUE(ca.ok()) << ca.status().ToString();
  ca_ = ca.value();
  EXPECT_TRUE(WriteClusterCa(ca_, dir_ / "ca").ok());
}

TestPki::~TestPki() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

NodeFiles TestPki::Issue(const std::string& node_id, const std::string& role,
                         CertificateValidity validity, const std::map<std::string, std::string>& labels) {
  auto request = CreateNodeKeyRequest(node_id, role);
  EXPECT_TRUE(request.ok()) << request.status().ToString();
  auto cert = SignNodeRequest(ca_, request->csr_pem, validity, labels);
  EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  const auto node_dir = dir_ / (node_id + "-" + std::to_string(issued_++));
  EXPECT_TRUE(WriteNodeIdentity(node_dir, request->key_pem, cert.value()).ok());
  return NodeFiles{dir_ / "ca" / kCaCertFile, node_dir / kNodeCertFile, node_dir / kNodeKeyFile,
                   cert.value()};
}

std::filesystem::path TestPki::WriteCrl(const std::vector<std::string>& revoked_cert_pems) {
  auto crl = CreateCrl(ca_, revoked_cert_pems);
  EXPECT_TRUE(crl.ok()) << crl.status().ToString();
  const auto path = dir_ / ("crl-" + std::to_string(issued_++) + ".pem");
  EXPECT_TRUE(WriteTextFile(path, crl.value(), false).ok());
  return path;
}

TransportOptions LoopbackOptions(const NodeFiles& files, const std::string& cluster_id,
                                 const std::string& node_id) {
  TransportOptions options;
  options.local_hello.cluster_id = cluster_id;
  options.local_hello.node_id = node_id;
  options.local_hello.labels = {{"site", "test"}};
  options.local_hello.store_epoch = "epoch-" + node_id;
  options.listen_address = "127.0.0.1";
  options.listen_port = 0;
  options.ca_cert_file = files.ca_cert;
  options.cert_file = files.cert;
  options.key_file = files.key;
  options.handshake_timeout = std::chrono::milliseconds(3000);
  options.idle_timeout = std::chrono::milliseconds(5000);
  options.reconnect_initial_delay = std::chrono::milliseconds(50);
  options.reconnect_max_delay = std::chrono::milliseconds(400);
  return options;
}

}  // namespace edgesync::transport::testing
