// The meta/acl document as this node's store holds it: the one place both the write rules
// (write_authority.h) and the read rules (read_authority.h) are loaded from.
// Thread-safety: a pure function over the store, which is safe for concurrent use.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "store/store.h"

namespace edgesync::replication {

// The live view of meta/acl's (kWriteAclKey) latest version; nullopt when there is none or it is deleted.
Result<std::optional<nlohmann::json>> ReadAclDocument(Store& store);

// The rules `Acl::FromDocument` finds in meta/acl: `absent` without a document, and
// `unusable(reason)` when it cannot be read or parsed (each kind of rules fails closed its way).
template <typename Acl, typename Unusable>
Acl LoadAcl(Store& store, Acl absent, Unusable unusable) {
  auto view = ReadAclDocument(store);
  if (!view.ok()) return unusable("cannot read it: " + view.status().ToString());
  if (!view->has_value()) return absent;
  auto parsed = Acl::FromDocument(**view);
  return parsed.ok() ? std::move(parsed).value() : unusable(parsed.status().message());
}

}  // namespace edgesync::replication
