// The meta/acl document as this node's store holds it: the one place both the write rules
// (write_authority.h) and the read rules (read_authority.h) are loaded from.
// Thread-safety: a pure function over the store, which is safe for concurrent use.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "store/store.h"

namespace edgesync::replication {

// The live view of meta/acl's (kWriteAclKey) latest version; nullopt when there is none or it is deleted.
Result<std::optional<nlohmann::json>> ReadAclDocument(Store& store);

}  // namespace edgesync::replication
