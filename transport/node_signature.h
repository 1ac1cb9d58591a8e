// Node signatures: a node signs bytes with its private key; anyone holding the node's
// certificate checks them. Replication uses this to prove who authored a version, so that a
// relay cannot pass off its own writes as another node's. ECDSA P-256 over SHA-256 (the key
// type of every node certificate), signatures in DER.
// Thread-safety: pure functions over values.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace edgesync::transport {

Result<std::string> SignWithNodeKey(const std::string& key_pem, std::string_view data);

// Ok when `signature` is a valid signature of `data` by the key certified in `cert_pem`. Does
// not verify the certificate itself (see VerifyNodeCertificate).
Status VerifyNodeSignature(const std::string& cert_pem, std::string_view data,
                                    std::string_view signature);

}  // namespace edgesync::transport
