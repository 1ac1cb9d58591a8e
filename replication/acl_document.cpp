#include "replication/acl_document.h"

#include "catalog/metadata_document.h"
#include "replication/write_acl.h"

namespace edgesync::replication {

Result<std::optional<nlohmann::json>> ReadAclDocument(Store& store) {
  auto key = ObjectKey::Parse(kWriteAclKey);
  if (!key.ok()) return key.status();
  auto latest = store.Latest(*key);
  if (latest.status().IsNotFound()) return std::optional<nlohmann::json>();
  if (!latest.ok()) return latest.status();
  auto spec = store.ReadSpec(latest->record.manifest_id);
  if (!spec.ok()) return spec.status();
  auto document = MetadataDocument::Parse(*spec);
  if (!document.ok()) return document.status();
  return std::optional<nlohmann::json>(document->View());
}

}  // namespace edgesync::replication
