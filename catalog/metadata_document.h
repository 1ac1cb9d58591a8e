// MetadataDocument: a JSON document of top-level fields, each stamped with (HLC, node id).
//
// Exists so that concurrent edits of one `meta/` object made on different nodes merge field by
// field with the same result everywhere: for every field the higher (hlc, node) stamp wins, and
// a deleted field leaves a tombstone that competes like any other value. Field names are
// literal (a name containing '.' is one field; nesting is not interpreted). The stamped
// document is the spec JSON of a meta version. Plain value type; needs external synchronization.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "store/hlc.h"
#include "base/status.h"

namespace edgesync {

struct FieldStamp {
  HlcStamp hlc = 0;
  std::string node;
  auto operator<=>(const FieldStamp&) const = default;
};

struct StampedField {
  nlohmann::json value;  // null for a tombstone
  FieldStamp stamp;
  bool deleted = false;
  bool operator==(const StampedField&) const = default;
};

class MetadataDocument {
 public:
  // Parses the stamped spec JSON ({"kind":"meta","fields":{...}}); "{}" is an empty document.
  static Result<MetadataDocument> Parse(std::string_view spec_json);
  static Result<MetadataDocument> FromJson(const nlohmann::json& j);

  // Field names: non-empty, at most 256 bytes, no control characters.
  static Status ValidateFieldName(std::string_view name);

  // Local edits. A field keeps its old state when `stamp` does not beat the current stamp.
  void Set(const std::string& name, nlohmann::json value, const FieldStamp& stamp);
  void Delete(const std::string& name, const FieldStamp& stamp);

  // Live fields only: {"name": value, ...}.
  nlohmann::json View() const;
  // The stamped form stored as spec JSON: sorted keys, compact.
  nlohmann::json ToJson() const;
  std::string ToCanonicalJson() const { return ToJson().dump(); }

  const std::map<std::string, StampedField>& fields() const { return fields_; }
  bool operator==(const MetadataDocument&) const = default;

 private:
  friend MetadataDocument MergeDocuments(const MetadataDocument& a, const MetadataDocument& b);
  void Offer(const std::string& name, StampedField field);
  std::map<std::string, StampedField> fields_;
};

// Field-wise merge: the union of fields, each taking the state with the higher (hlc, node)
// stamp; on equal stamps (which a correct cluster never produces) a tombstone wins, then the
// greater canonical value, so the merge is commutative, associative and idempotent.
MetadataDocument MergeDocuments(const MetadataDocument& a, const MetadataDocument& b);

}  // namespace edgesync
