// CertifiedIdentity: who a verified node certificate says its holder is.
// Thread-safety: plain value.
#pragma once

#include <map>
#include <string>

namespace edgesync::transport {

struct CertifiedIdentity {
  std::string node_id;
  std::string role;
  std::string cluster_id;
  // Labels the CA signed into the certificate (`cluster sign --label`): unlike the labels of a
  // Hello, a peer cannot claim them, so read rules (replication/read_acl.h) may trust them.
  std::map<std::string, std::string> labels;
};

}  // namespace edgesync::transport
