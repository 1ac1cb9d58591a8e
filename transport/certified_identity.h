// CertifiedIdentity: who a verified node certificate says its holder is.
// Thread-safety: plain value.
#pragma once

#include <string>

namespace edgesync::transport {

struct CertifiedIdentity {
  std::string node_id;
  std::string role;
  std::string cluster_id;
};

}  // namespace edgesync::transport
